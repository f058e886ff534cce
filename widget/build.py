"""Build the served widget: minify widget/src into collector/static/.

Reproducible: the same source gives the same bytes. Run by `make widget`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import rjsmin

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "collector" / "static"


def build() -> dict[str, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    js = rjsmin.jsmin((HERE / "src" / "widget.js").read_text(encoding="utf-8"))
    css = " ".join((HERE / "src" / "widget.css").read_text(encoding="utf-8").split())
    (OUT / "widget.js").write_text(js, encoding="utf-8")
    (OUT / "widget.css").write_text(css, encoding="utf-8")
    return {"widget.js": len(js.encode()), "widget.css": len(css.encode())}


if __name__ == "__main__":
    for name, size in build().items():
        sys.stdout.write(f"built collector/static/{name}: {size} bytes\n")
