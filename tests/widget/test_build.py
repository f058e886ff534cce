"""The built widget: reproducible, small, and free of what a strict CSP would block."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from collector.languages.catalogs import available_locales, interface_strings
from widget.build import CSS_PLACEHOLDER, OUT, build, minify_css, snippet

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


def test_snippet_widget_with_its_css_and_strings_fit_in_6_25_kb_gzipped() -> None:
    # widget.js carries the styles; widget.css alone is only for old browsers (docs/widget.md).
    build()
    largest = max(len(gzip.compress(json.dumps(interface_strings(tag), ensure_ascii=False)
                                    .encode(), 9)) for tag in ["en", *available_locales()])
    parts = [snippet().encode(), (OUT / "widget.js").read_bytes()]
    assert sum(len(gzip.compress(part, 9)) for part in parts) + largest <= 6400


def test_the_built_script_carries_the_minified_stylesheet() -> None:
    # One request fewer before a survey shows (issue 10): no fetch of widget.css.
    build()
    script = (OUT / "widget.js").read_text()
    assert json.dumps((OUT / "widget.css").read_text()) in script
    assert CSS_PLACEHOLDER not in script


def test_css_minifying_keeps_the_spaces_calc_needs() -> None:
    assert minify_css(".tp { width: min(440px, calc(100vw - 32px)); }  /* why */") == \
        ".tp{width:min(440px,calc(100vw - 32px))}"


def test_no_eval_inline_styles_or_html_injection_in_the_source() -> None:
    source = SOURCE.read_text()
    for forbidden in (r"\beval\(", r"new Function", r"\.style\b", r"innerHTML",
                      r"setAttribute\(\s*\"style\"", r"document\.write"):
        assert not re.search(forbidden, source), forbidden
