"""``tenpoint import delighted FILE``: a Delighted CSV export becomes responses, once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from collector.core.extensions import db
from collector.models import FollowupCase, Job, Person, Response
from tests.factories import make_site, make_survey

EXPORT = """Response ID,Score,Comment,Response Timestamp,Name,Email,Delighted Source,plan,Tags
101,10,Love it,2025-05-04 13:22:10 -0700,Ana,ana@example.com,Email,pro,
102,3,Too slow,2025-05-05T08:00:00+00:00,Bo,BO@example.com,Email,free,slow
103,8,,1746518400,,,Link,,
104,eleven,broken row,2025-05-06 10:00:00 +0000,,,,,
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_export_is_imported_with_people_times_and_properties(app, runner, tmp_path):
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
    result = runner.invoke(args=["import", "delighted", str(_write(tmp_path, EXPORT))])
    assert result.exit_code == 0, result.output
    assert "Imported 3 responses; 0 already there; 1 rows skipped as invalid." in result.output
    with app.app_context():
        rows = list(db.session.scalars(select(Response).order_by(Response.created_at)))
        assert [r.score for r in rows] == [10, 3, 8]
        assert rows[0].created_at.isoformat() == "2025-05-04T20:22:10+00:00"
        assert rows[0].properties == {"Delighted Source": "Email", "plan": "pro",
                                      "delighted_response_id": "101"}
        assert sorted(p.email for p in db.session.scalars(select(Person))) == [
            "ana@example.com", "bo@example.com"]
        # History is not news: no follow-up case, no webhook event.
        assert db.session.scalars(select(FollowupCase)).all() == []
        assert db.session.scalars(select(Job)).all() == []


def test_importing_the_same_export_again_adds_nothing(app, runner, tmp_path):
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
    path = _write(tmp_path, EXPORT)
    runner.invoke(args=["import", "delighted", str(path)])
    again = runner.invoke(args=["import", "delighted", str(path)])
    assert "Imported 0 responses; 3 already there" in again.output
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 3


def test_an_unknown_site_is_a_clear_error(app, runner, tmp_path):
    result = runner.invoke(args=["import", "delighted", str(_write(tmp_path, EXPORT)),
                                 "--site", "nope"])
    assert result.exit_code != 0
    assert "No such site" in result.output


def test_an_import_into_postgresql_leaves_the_planner_current_statistics(pg_app, tmp_path):
    # A bulk load into tables the planner still costs as empty would slow every page view
    # until autovacuum came by (docs/deployment.md).
    with pg_app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
        before = db.session.scalar(text("SELECT clock_timestamp()"))
        db.session.commit()
    result = pg_app.test_cli_runner().invoke(
        args=["import", "delighted", str(_write(tmp_path, EXPORT))])
    assert result.exit_code == 0, result.output
    with pg_app.app_context():
        analyzed = db.session.scalar(text(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'people'"))
        assert analyzed is not None and analyzed >= before
