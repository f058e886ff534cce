"""The built widget: reproducible, small, and free of what a strict CSP would block."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from collector.i18n import interface_strings
from widget.build import OUT, build, snippet

SOURCE = Path(__file__).resolve().parents[2] / "widget" / "src" / "widget.js"


def test_the_build_is_reproducible() -> None:
    build()
    first = (OUT / "widget.js").read_bytes(), (OUT / "widget.css").read_bytes()
    build()
    assert ((OUT / "widget.js").read_bytes(), (OUT / "widget.css").read_bytes()) == first


def test_snippet_is_under_600_bytes_and_defines_only_the_queue_stub() -> None:
    code = snippet()
    assert len(code.encode()) < 600
    assert "tenpoint" in code and "async" in code


def test_snippet_widget_css_and_strings_fit_in_6_kb_gzipped() -> None:
    build()
    parts = [snippet().encode(), (OUT / "widget.js").read_bytes(),
             (OUT / "widget.css").read_bytes(),
             json.dumps(interface_strings("en")).encode()]
    assert sum(len(gzip.compress(part, 9)) for part in parts) <= 6 * 1024


def test_no_eval_inline_styles_or_html_injection_in_the_source() -> None:
    source = SOURCE.read_text()
    for forbidden in (r"\beval\(", r"new Function", r"\.style\b", r"innerHTML",
                      r"setAttribute\(\s*\"style\"", r"document\.write"):
        assert not re.search(forbidden, source), forbidden
