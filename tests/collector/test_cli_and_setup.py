"""The tenpoint command, settings and migrations."""

from __future__ import annotations

import importlib.metadata
import json
import logging
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import create_engine

from collector.cli import main
from collector.config import SETTINGS, load_config
from collector.models import Base

README = Path(__file__).resolve().parents[2] / "README.md"


def test_init_demo_twice_keeps_the_same_keys(app: Flask, runner) -> None:
    first = runner.invoke(args=["init", "--demo", "--json"])
    second = runner.invoke(args=["init", "--demo", "--json"])
    assert first.exit_code == 0, first.output
    keys, again = json.loads(first.output), json.loads(second.output)
    assert keys == again
    assert keys["publishable_key"].startswith("pk_") and keys["secret_key"].startswith("sk_")
    client = app.test_client()
    response = client.get("/v1/surveys", headers={"Authorization": f"Bearer {keys['secret_key']}"})
    assert [s["key"] for s in response.json["data"]] == ["product-nps"]


def test_keys_create_prints_a_working_key(app: Flask, runner) -> None:
    runner.invoke(args=["init", "--demo", "--json"])
    result = runner.invoke(args=["keys", "create", "--site", "demo", "--role", "read"])
    assert result.exit_code == 0
    raw = result.output.strip()
    assert raw.startswith("rk_")
    assert app.test_client().get("/v1/metrics/nps",
                                 headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    from collector.config import finalize_config

    first = load_config(str(tmp_path), environ={})
    finalize_config(first, str(tmp_path))
    second = load_config(str(tmp_path), environ={})
    finalize_config(second, str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_tenpoint_variables(tmp_path: Path) -> None:
    config = load_config(str(tmp_path), environ={"TENPOINT_PORT": "6001",
                                                 "TENPOINT_TRUSTED_PROXIES": "2"})
    assert config["PORT"] == 6001 and config["TRUSTED_PROXIES"] == 2


def test_the_readme_documents_every_setting() -> None:
    text = README.read_text()
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in text]
    assert missing == []


def test_migrations_match_the_models_on_every_database(any_app: Flask) -> None:
    engine = create_engine(any_app.config["DATABASE_URL"])
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_version_comes_from_the_installed_distribution() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"tenpoint {importlib.metadata.version('tenpoint-collector')}\n"


@pytest.mark.parametrize("lacking", ["widget", "catalogs"])
def test_serve_refuses_to_start_without_the_widget_or_the_catalogs(
        runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lacking: str) -> None:
    if lacking == "widget":
        monkeypatch.setattr("collector.widget.views.STATIC", tmp_path)
    else:
        monkeypatch.setattr("collector.languages.catalogs.catalogs_dir", lambda: tmp_path)
    result = runner.invoke(args=["serve"])
    assert result.exit_code == 1
    assert "cannot serve" in result.output and str(tmp_path) in result.output
    assert "Traceback" not in result.output


def test_the_signing_secret_has_its_own_name(tmp_path: Path) -> None:
    config = load_config(str(tmp_path), environ={"TENPOINT_SIGNING_SECRET": "s3cret"})
    assert config["SECRET_KEY"] == "s3cret"


def test_the_old_signing_secret_name_still_works_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="collector.config"):
        config = load_config(str(tmp_path), environ={"TENPOINT_SECRET_KEY": "old-s3cret"})
    assert config["SECRET_KEY"] == "old-s3cret"
    assert "TENPOINT_SECRET_KEY is deprecated" in caplog.text
    assert "TENPOINT_SIGNING_SECRET" in caplog.text


def test_an_sdk_key_under_the_old_name_does_not_re_key_the_collector(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # The shell of someone following the SDK's old README (issue 24).
    with caplog.at_level(logging.WARNING, logger="collector.config"):
        config = load_config(str(tmp_path), environ={"TENPOINT_SECRET_KEY": "sk_live_abc"})
    assert config["SECRET_KEY"] is None  # finalize_config then uses instance/secret_key
    assert "holds an API key" in caplog.text and "sk_live_abc" not in caplog.text


def test_the_new_signing_secret_name_wins_over_the_old(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="collector.config"):
        config = load_config(str(tmp_path), environ={"TENPOINT_SIGNING_SECRET": "new",
                                                     "TENPOINT_SECRET_KEY": "old"})
    assert config["SECRET_KEY"] == "new" and "TENPOINT_SECRET_KEY is set and ignored" in caplog.text
