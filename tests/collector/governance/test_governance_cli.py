"""`tenpoint surveys apply`, `tenpoint export` and `tenpoint people export|erase`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select

from collector.core.extensions import db
from collector.models import AuditEntry, Person, SurveyVersion
from tests.collector.conftest import Stage

SURVEYS = """
[surveys.nps]
name = "Product NPS"
active = true

[surveys.nps.config]
default_locale = "en"

[surveys.nps.config.texts.en]
question = "How likely are you to recommend Example?"

[surveys.support]
name = "Support NPS"

[surveys.support.config.texts.en]
question = "How likely are you to recommend our support?"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "surveys.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_apply_shows_the_difference_then_writes_new_versions(stage: Stage,
                                                             tmp_path: Path) -> None:
    runner = stage.app.test_cli_runner()
    result = runner.invoke(args=["surveys", "apply", str(_write(tmp_path, SURVEYS)), "--yes"])
    assert result.exit_code == 0, result.output
    assert "nps: update" in result.output and "support: create" in result.output
    assert '+        "question": "How likely are you to recommend Example?"' in result.output
    assert '-  "name": "NPS"' in result.output and '+  "name": "Product NPS"' in result.output
    with stage.app.app_context():
        numbers = db.session.scalars(select(SurveyVersion.number).order_by(
            SurveyVersion.id)).all()
        assert numbers == [1, 2, 1]  # nps v1 kept, nps v2 added, support v1
        actors = db.session.scalars(select(AuditEntry.actor).where(
            AuditEntry.actor == "cli")).all()
        assert len(actors) == 2
    again = runner.invoke(args=["surveys", "apply", str(_write(tmp_path, SURVEYS)), "--yes"])
    assert "Nothing to change." in again.output


def test_apply_asks_first_and_a_no_changes_nothing(stage: Stage, tmp_path: Path) -> None:
    runner = stage.app.test_cli_runner()
    result = runner.invoke(args=["surveys", "apply", str(_write(tmp_path, SURVEYS))],
                           input="n\n")
    assert result.exit_code == 1 and "Apply 2 change(s)" in result.output
    with stage.app.app_context():
        assert len(db.session.scalars(select(SurveyVersion)).all()) == 1


def test_an_invalid_file_is_refused_with_where(stage: Stage, tmp_path: Path) -> None:
    runner = stage.app.test_cli_runner()
    bad = SURVEYS.replace('[surveys.support.config.texts.en]\n', '[surveys.support.config]\n'
                          'colour = "red"\n')
    result = runner.invoke(args=["surveys", "apply", str(_write(tmp_path, bad)), "--yes"])
    assert result.exit_code != 0 and "surveys.support" in result.output
    broken = runner.invoke(args=["surveys", "apply", str(_write(tmp_path, "[surveys")), "--yes"])
    assert broken.exit_code != 0 and "not valid TOML" in broken.output


def test_export_command_writes_a_file(stage: Stage, tmp_path: Path) -> None:
    stage.add(10, comment="fine")
    stage.add(2)
    target = tmp_path / "out.csv"
    result = stage.app.test_cli_runner().invoke(args=["export", "--output", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["score"] for r in rows] == ["10", "2"]
    ndjson = stage.app.test_cli_runner().invoke(args=["export", "--format", "ndjson"])
    assert [json.loads(line)["score"] for line in ndjson.output.splitlines()] == [10, 2]


def test_people_commands_export_and_erase(stage: Stage) -> None:
    stage.add(3, user_id="u-7", comment="my phone is 555", email="p@example.com")
    runner = stage.app.test_cli_runner()
    exported = runner.invoke(args=["people", "export", "u-7"])
    assert json.loads(exported.output)["responses"][0]["comment"] == "my phone is 555"
    refused = runner.invoke(args=["people", "erase", "u-7"], input="n\n")
    assert refused.exit_code == 1
    erased = runner.invoke(args=["people", "erase", "u-7", "--yes"])
    assert erased.exit_code == 0 and "responses 1" in erased.output
    with stage.app.app_context():
        person = db.session.scalars(select(Person)).one()
        assert person.shown_email is None and person.erased_at is not None
        assert person.email is not None and person.email.startswith("erased:")
    assert runner.invoke(args=["people", "erase", "nobody", "--yes"]).exit_code != 0
