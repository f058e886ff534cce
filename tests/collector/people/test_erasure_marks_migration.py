"""Revision 0011: people erased before it kept their user id in the clear; the upgrade turns
it into the erasure mark every look-up now compares against, and leaves everyone else alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from collector.core.database import alembic_config
from collector.models import Person, Site
from collector.people.lookup import erasure_mark, find_person

AT = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_the_upgrade_marks_the_ids_of_people_erased_before_it(
        request: pytest.FixtureRequest, database: str) -> None:
    url = request.getfixturevalue(f"{database}_url")
    config = alembic_config(url)
    command.downgrade(config, "0010")
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            site = Site(slug="old", name="Old", identity_secret="s" * 32, created_at=AT)
            session.add(site)
            session.flush()
            # Core, naming the columns of revision 0010 only (the model has later ones).
            session.execute(insert(Person.__table__), [
                {"site_id": site.id, "external_id": user_id, "properties": {},
                 "first_seen_at": AT, "updated_at": AT, "erased_at": erased}
                for user_id, erased in (("erased-before", AT), ("still-here", None))])
            session.commit()
            site_id = site.id
        command.upgrade(config, "head")
        with Session(engine) as session:
            ids = set(session.scalars(select(Person.external_id)))
            assert ids == {erasure_mark(site_id, "external_id", "erased-before"), "still-here"}
            found = find_person(session, site_id, user_id="erased-before")
            assert found is not None and found.erased_at is not None
        command.upgrade(config, "head")  # a second run changes nothing
    finally:
        engine.dispose()
