"""Flask-Babel for hosted pages and emails: ``_()``/``ngettext`` in Jinja, one locale per
request, and :func:`rendering_in` to render anything (an email, a page) in a given locale.

Catalogs are looked up through :func:`collector.languages.catalogs.catalog_for`, so a BCP 47
tag such as ``pt-AO`` or ``zh-HK`` reaches the ``pt_PT`` or ``zh_Hant`` catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, Domain, force_locale, get_locale

from collector.languages.catalogs import (
    LOCALES_DIR,
    SOURCE_LOCALE,
    catalog_for,
    locale_candidates,
    translations_for,
)
from collector.languages.tags import parse_tag, to_bcp47


class CatalogDomain(Domain):
    """Flask-Babel's domain, reading catalogs through collector.languages.catalogs (tag matching,
    and catalogs compiled in memory when ``make locales`` has not run yet)."""

    def get_translations(self) -> Any:
        return translations_for(str(get_locale() or SOURCE_LOCALE))


class TenpointBabel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return CatalogDomain(translation_directories=[str(LOCALES_DIR)])


babel = TenpointBabel()


def select_locale() -> str:
    """The request's catalog: the one a view chose (``g.tenpoint_locale``, e.g. from the
    invitation or the person), else the browser's ``Accept-Language``, else the site default
    (English: hosted pages and emails pass the site's default as ``g.tenpoint_locale``'s
    fallback themselves, through :func:`collector.languages.catalogs.locale_candidates`)."""
    chosen = g.get("tenpoint_locale") if has_request_context() else None
    header = request.headers.get("Accept-Language") if has_request_context() else None
    for tag in locale_candidates(chosen, None, header, SOURCE_LOCALE):
        directory = catalog_for(tag)
        if directory:
            return directory
    return SOURCE_LOCALE


def init_app(app: Flask) -> None:
    babel.init_app(app, default_locale=SOURCE_LOCALE, locale_selector=select_locale,
                   default_translation_directories=str(LOCALES_DIR))
    app.jinja_env.globals.update(html_lang=html_lang, html_dir=html_dir)


@contextmanager
def rendering_in(tag: str | None) -> Iterator[str]:
    """Render (``render_template``, ``gettext``) in the catalog serving ``tag``; yields the
    catalog's directory name. Unknown or malformed tags render in English. Needs an app
    context; emails rendered by a job use ``with app.app_context(), rendering_in(loc):``."""
    directory = catalog_for(tag) or SOURCE_LOCALE
    with force_locale(directory):
        yield directory


def html_lang(tag: str | None = None) -> str:
    """The ``lang`` attribute for a tag, or for the current request's locale."""
    if tag is None:
        current = get_locale()
        return to_bcp47(str(current)) if current else SOURCE_LOCALE
    locale = parse_tag(tag)
    return to_bcp47(str(locale)) if locale else SOURCE_LOCALE


def html_dir(tag: str | None = None) -> str:
    """``rtl`` or ``ltr`` from CLDR's character order, for a tag or the current locale."""
    locale = parse_tag(tag) if tag else get_locale()
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"
