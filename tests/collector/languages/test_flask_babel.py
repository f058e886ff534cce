"""Flask-Babel: `_()` and `ngettext` in templates, a locale per request, rendering in a
given locale for emails and hosted pages."""

from __future__ import annotations

from flask import Flask, g, render_template_string
from flask_babel import gettext, ngettext

from collector.languages.localization import html_dir, html_lang, rendering_in, select_locale

PAGE = ('<html lang="{{ html_lang() }}" dir="{{ html_dir() }}">'
        '{{ _("Send") }} {{ ngettext("This link expires in %(num)d day.", '
        '"This link expires in %(num)d days.", days) }}</html>')


def test_rendering_in_a_given_locale(app: Flask) -> None:
    with app.app_context(), rendering_in("ru") as catalog:
        page = render_template_string(PAGE, days=22)
    assert catalog == "ru"
    assert page == '<html lang="ru" dir="ltr">Отправить Ссылка действительна ещё 22 дня.</html>'


def test_rendering_in_a_right_to_left_locale_sets_dir(app: Flask) -> None:
    with app.app_context(), rendering_in("ar-EG"):
        page = render_template_string(PAGE, days=5)
        assert gettext("Skip") == "تخطي"
    assert page.startswith('<html lang="ar" dir="rtl">إرسال')
    assert "5 أيام" in page


def test_regional_tags_reach_their_catalog_and_unknown_ones_english(app: Flask) -> None:
    with app.app_context():
        with rendering_in("zh-HK") as catalog:
            assert (catalog, gettext("Send")) == ("zh_Hant", "送出")
        with rendering_in("tlh-QQ") as catalog:
            assert (catalog, gettext("Send")) == ("en", "Send")
        with rendering_in("fr"):
            one = ngettext("This link expires in %(num)d day.",
                           "This link expires in %(num)d days.", 1)
            assert one == "Ce lien expire dans 1 jour."


def test_request_locale_from_view_choice_then_accept_language(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "de-AT, en;q=0.5"}):
        assert select_locale() == "de"
        g.tenpoint_locale = "pt-PT"
        assert select_locale() == "pt_PT"
    with app.test_request_context(headers={"Accept-Language": "tlh"}):
        assert select_locale() == "en"


def test_lang_and_dir_helpers() -> None:
    assert (html_lang("he-IL"), html_dir("he-IL")) == ("he-IL", "rtl")
    assert (html_lang("zh_Hant"), html_dir("zh_Hant")) == ("zh-Hant", "ltr")
    assert (html_lang("garbage!"), html_dir("garbage!")) == ("en", "ltr")
