"""The built widget: committed and current, reproducible, small, and free of what a strict CSP
would block. The tests read the committed build (collector/static/) and build only into
temporary folders, so a stale commit cannot be repaired by the test run itself."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from collector.languages.catalogs import available_locales, interface_strings
from widget.build import CSS_PLACEHOLDER, OUT, build, minify_css, snippet

SOURCE = Path(__file__).resolve().parents[2] / "widget" / "src" / "widget.js"


def test_the_committed_build_is_current_with_widget_src(tmp_path: Path) -> None:
    """Run `make widget` and commit collector/static/widget.{js,css} when this fails."""
    build(tmp_path)
    for name in ("widget.js", "widget.css"):
        assert (OUT / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_the_build_is_reproducible(tmp_path: Path) -> None:
    build(tmp_path / "a")
    build(tmp_path / "b")
    for name in ("widget.js", "widget.css"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_snippet_is_under_600_bytes_and_defines_only_the_queue_stub() -> None:
    code = snippet()
    assert len(code.encode()) < 600
    assert "tenpoint" in code and "async" in code


def test_snippet_widget_with_its_css_and_strings_fit_in_6_5_kb_gzipped() -> None:
    # widget.js carries the styles; widget.css alone is only for old browsers (docs/widget.md).
    # 6 KB until issue 22 added the display token and the proof-of-work solver (6.5 KB).
    largest = max(len(gzip.compress(json.dumps(interface_strings(tag), ensure_ascii=False)
                                    .encode(), 9)) for tag in ["en", *available_locales()])
    parts = [snippet().encode(), (OUT / "widget.js").read_bytes()]
    assert sum(len(gzip.compress(part, 9)) for part in parts) + largest <= 6.5 * 1024


def test_the_built_script_carries_the_minified_stylesheet() -> None:
    # One request fewer before a survey shows (issue 10): no fetch of widget.css.
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
