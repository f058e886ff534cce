"""Build the served widget: minify widget/src into collector/static/.

Reproducible: the same source gives the same bytes. Run by `make widget`. Also prints the
minified snippet (widget/src/snippet.js) that docs/widget.md tells sites to paste.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import rjsmin

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "collector" / "static"
SNIPPET_BUDGET = 600


def minify_css(source: str) -> str:
    without_comments = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    compact = " ".join(without_comments.split())
    return re.sub(r"\s*([{};,>])\s*", r"\1", compact).replace(";}", "}")


def snippet() -> str:
    """The minified snippet, one line."""
    return rjsmin.jsmin((HERE / "src" / "snippet.js").read_text(encoding="utf-8")).strip()


def build() -> dict[str, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    js = rjsmin.jsmin((HERE / "src" / "widget.js").read_text(encoding="utf-8"))
    css = minify_css((HERE / "src" / "widget.css").read_text(encoding="utf-8"))
    (OUT / "widget.js").write_text(js, encoding="utf-8")
    (OUT / "widget.css").write_text(css, encoding="utf-8")
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
