"""Every language a respondent may read: catalogs, locale negotiation, interface texts and
Flask-Babel."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.languages import localization

    localization.init_app(app)
