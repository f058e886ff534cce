"""Used display tokens are kept as long as a token lives, then housekeeping forgets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from collector.core.extensions import db
from collector.governance import housekeeping
from collector.models import DisplayTokenUse
from collector.protection.token_uses import claim_token
from tests.factories import make_site

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_housekeeping_forgets_uses_older_than_a_tokens_lifetime(any_app: Flask) -> None:
    with any_app.app_context():
        site = make_site(db.session).site_id
        for token_id, age in (("fresh", timedelta(days=7)), ("old", timedelta(days=9))):
            assert claim_token(db.session, token_id, site_id=site, survey_id=1, now=NOW - age)
        assert not claim_token(db.session, "fresh", site_id=site, survey_id=1, now=NOW)
        db.session.commit()
        housekeeping.run_housekeeping(db.session, {}, NOW)
        db.session.commit()
        assert list(db.session.scalars(select(DisplayTokenUse.token_id))) == ["fresh"]
