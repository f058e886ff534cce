"""Numbers, percentages and dates for emails and reports, formatted by Babel per locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

from collector.languages.catalogs import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
)


def test_decimals_use_the_locale_separators() -> None:
    assert format_decimal(1234.5, "en") == "1,234.5"
    assert format_decimal(1234.5, "de") == "1.234,5"
    assert format_decimal(1234.5, "fr").replace("\u202f", " ") == "1 234,5"
    assert format_decimal(1234.5, "pt-BR") == "1.234,5"


def test_percentages_follow_the_locale() -> None:
    assert format_percent(0.42, "en") == "42%"
    assert format_percent(0.42, "de") == "42\u00a0%"
    assert format_percent(0.42, "tr") == "%42"
    assert format_percent(0.425, "en", format="#,##0.0%") == "42.5%"


def test_dates_use_the_locale_pattern_and_names() -> None:
    day = date(2026, 3, 2)
    assert format_date(day, "en") == "Mar 2, 2026"
    assert format_date(day, "de", format="long") == "2. März 2026"
    assert format_date(day, "ja", format="long") == "2026年3月2日"
    assert format_date(day, "es-419", format="long") == "2 de marzo de 2026"
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert "09:30" in format_datetime(moment, "de", format="short")


def test_a_malformed_locale_formats_in_english() -> None:
    assert format_decimal(1234.5, "%%") == "1,234.5"
    assert format_date(date(2026, 3, 2), None) == "Mar 2, 2026"


def test_every_catalog_locale_formats_numbers_and_dates() -> None:
    from collector.languages.catalogs import available_locales
    from collector.languages.tags import to_bcp47

    for locale in available_locales():
        tag = to_bcp47(locale)
        assert format_percent(0.5, tag) and format_decimal(-12.5, tag)
        long_date = format_date(date(2026, 3, 2), tag, format="long")
        assert "2026" in long_date, (locale, long_date)
