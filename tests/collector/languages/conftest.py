"""A site whose survey speaks every locale Tenpoint has a catalog for."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from collector.core.extensions import db
from collector.languages.catalogs import RESPONDENT_STRINGS, available_locales, translations_for
from collector.languages.tags import to_bcp47
from tests.factories import SiteKeys, make_survey

BRAND = "Acme Cloud"


def texts_for(locale: str) -> dict[str, Any]:
    """The owner's texts in one locale: the standard NPS question, as translated."""
    question = translations_for(locale).gettext(RESPONDENT_STRINGS["default_question"])
    return {"question": question % {"brand": BRAND}}


@pytest.fixture
def polyglot(app: Flask, site: SiteKeys) -> str:
    """A survey ``polyglot`` with texts keyed by each catalog's BCP 47 tag."""
    texts = {to_bcp47(locale): texts_for(locale) for locale in available_locales()}
    with app.app_context():
        return make_survey(db.session, site.site_id, "polyglot", texts=texts)
