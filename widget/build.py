"""Build the served widget: minify widget/src into collector/static/.

The minified widget.css goes into widget.js too (in place of the string "__TENPOINT_CSS__"),
so a survey shows after two requests, the script and the eligibility answer, not three;
widget.css is still written for browsers without constructed stylesheets (docs/widget.md).

The script is minified by terser (pinned by widget/package-lock.json, installed by
`make widget-deps`), which also renames local variables, so widget/src/widget.js can be
written for readers rather than for its byte budget. Reproducible: the same source gives the
same bytes. Run by `make widget`. The output is
committed, so installing the collector never needs this build; a test fails when it is stale
(tests/widget/test_build_is_committed.py). Also prints the
minified snippet (widget/src/snippet.js) that docs/widget.md tells sites to paste.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import rjsmin

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "collector" / "static"
SNIPPET_BUDGET = 600
TERSER = HERE / "node_modules" / "terser" / "bin" / "terser"
# Browsers the widget supports (docs/widget.md): ES2017 keeps async functions as they are.
# inline=1: terser inlines only functions without arguments, so the small named helpers of the
# readable source stay functions; with full inlining their locals pile up in the caller's scope
# and the gzipped widget grew by about 20 bytes (docs/widget.md, "Reading the source").
TERSER_OPTIONS = ("--ecma", "2017", "--compress", "passes=2,inline=1", "--mangle",
                  "--format", "ascii_only=true")
CSS_PLACEHOLDER = '"__TENPOINT_CSS__"'


def minify_css(source: str) -> str:
    without_comments = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    compact = " ".join(without_comments.split())
    # Not "+" or "-": calc() needs the spaces around them. A colon is followed by a space
    # only in declarations ("a: b"), never in selectors, so that space can go.
    tight = re.sub(r"\s*([{};,>])\s*", r"\1", compact).replace(";}", "}")
    return tight.replace(": ", ":").replace(" !important", "!important")


def minify_js(source: str) -> str:
    """The widget's script minified by terser, locals renamed; nothing else touches it."""
    if not TERSER.exists():
        raise SystemExit("terser is not installed: run 'make widget-deps' (npm ci in widget/)")
    node = shutil.which("node")
    if node is None:
        raise SystemExit("building the widget needs Node.js (apt-get install nodejs)")
    # Fixed arguments and our own source on stdin: nothing here comes from a user.
    done = subprocess.run([node, str(TERSER), *TERSER_OPTIONS],  # noqa: S603
                          input=source, text=True, capture_output=True, check=False,
                          timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"terser failed: {done.stderr.strip()}")
    return done.stdout.strip()


def snippet() -> str:
    """The minified snippet, one line."""
    return rjsmin.jsmin((HERE / "src" / "snippet.js").read_text(encoding="utf-8")).strip()


def embed_css(js: str, css: str) -> str:
    """``js`` with its one CSS placeholder replaced by ``css`` as a JavaScript string."""
    if js.count(CSS_PLACEHOLDER) != 1:
        raise SystemExit(f"widget.js must contain {CSS_PLACEHOLDER} exactly once")
    # JSON is a JavaScript string literal; "</" is escaped so no page can read it as a tag end.
    return js.replace(CSS_PLACEHOLDER, json.dumps(css).replace("</", "<\\/"))


def build(out: Path = OUT) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    css = minify_css((HERE / "src" / "widget.css").read_text(encoding="utf-8"))
    js = embed_css(minify_js((HERE / "src" / "widget.js").read_text(encoding="utf-8")), css)
    (out / "widget.js").write_text(js, encoding="utf-8")
    (out / "widget.css").write_text(css, encoding="utf-8")
    tiny = snippet()
    if len(tiny.encode()) > SNIPPET_BUDGET:
        raise SystemExit(f"snippet is {len(tiny.encode())} bytes, over {SNIPPET_BUDGET}")
    return {"widget.js": len(js.encode()), "widget.css": len(css.encode()),
            "snippet": len(tiny.encode())}


if __name__ == "__main__":
    sizes = build()
    for name in ("widget.js", "widget.css"):
        sys.stdout.write(f"built collector/static/{name}: {sizes[name]} bytes\n")
    sys.stdout.write(f"snippet ({sizes['snippet']} bytes):\n<script>{snippet()}</script>\n")
