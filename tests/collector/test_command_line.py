"""The ``tenpoint`` command as a person meets it: its help, and usage errors, not tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from collector.cli import main


def test_help_lists_tenpoints_commands_and_none_of_flasks_options() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    for flask_option in ("--env-file", "--app", "--debug", "-A,", "-e,"):
        assert flask_option not in result.output
    for command in ("init", "serve", "sites", "keys", "export", "worker", "settings"):
        assert f"  {command} " in result.output
    assert "  openapi " not in result.output  # flask-smorest's own command group


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2 and "No such command 'frobnicate'" in result.output


@pytest.mark.parametrize(("args", "says"), [
    (["export", "--since", "yesterday"], "Invalid value for '--since': 'yesterday'"),
    (["export", "--until", "2026-13-01"], "Invalid value for '--until'"),
    (["export", "--format", "xml"], "Invalid value for '--format'"),
    (["keys", "create", "--site", "demo", "--role", "owner"], "Invalid value for '--role'"),
    (["keys", "rotate", "1", "--overlap-hours", "1e20"], "Invalid value for '--overlap-hours'"),
    (["keys", "rotate", "1", "--overlap-hours", "-1"], "Invalid value for '--overlap-hours'"),
    (["serve", "--port", "70000"], "Invalid value for '--port'"),
    (["serve", "--workers", "0"], "Invalid value for '--workers'"),
    (["worker", "--poll", "-1"], "Invalid value for '--poll'"),
    (["sites", "create", "Not A Slug"], "Invalid value for SLUG"),
    (["sites", "update", "demo", "--set", "colour"], "Invalid value for --set"),
    (["surveys", "apply", "/no/such/file.toml"], "does not exist"),
    (["import", "delighted", "/no/such/file.csv"], "does not exist"),
])
def test_bad_arguments_are_usage_errors_never_tracebacks(
        runner, args: list[str], says: str) -> None:
    runner.invoke(args=["init", "--demo"])
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(("args", "says"), [
    (["keys", "create", "--site", "nope", "--role", "read"],
     "No site 'nope'; create it with `tenpoint sites create nope --origin URL`"),
    (["keys", "revoke", "999"], "0 keys match"),
    (["keys", "revoke", "9" * 30], "0 keys match"),
    (["people", "export", "nobody"], "No person 'nobody'"),
    (["export", "--survey", "nope"], "No survey 'nope'"),
    (["sites", "show", "nope"], "No site 'nope'"),
])
def test_things_that_do_not_exist_are_one_line_errors(runner, args: list[str], says: str) -> None:
    runner.invoke(args=["init", "--demo"])
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and says in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", [["surveys", "apply"], ["import", "delighted"]])
def test_a_file_that_is_not_text_is_an_error_not_a_traceback(
        runner, tmp_path: Path, command: list[str]) -> None:
    runner.invoke(args=["init", "--demo"])
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    result = runner.invoke(args=[*command, str(binary)])
    assert result.exit_code == 1 and "UTF-8" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_export_accepts_a_plain_date(runner) -> None:
    runner.invoke(args=["init", "--demo"])
    result = runner.invoke(args=["export", "--since", "2026-03-01", "--format", "ndjson"])
    assert result.exit_code == 0, result.output


def test_init_demo_ends_with_the_block_a_newcomer_needs(app: Flask, runner) -> None:
    result = runner.invoke(args=["init", "--demo"])
    lines = [line.strip() for line in result.output.strip().splitlines()]
    assert len(lines) <= 15
    public = app.config["PUBLIC_URL"]
    for expected in (f"Demo page        {public}/demo", f"Console          {public}/console/",
                     f"API reference    {public}/docs", "Publishable key  pk_",
                     "Secret key       sk_", "Read key         rk_", "Admin key        ak_",
                     "tenpoint sites create"):
        assert any(line.startswith(expected) or expected in line for line in lines), expected


def test_the_root_leads_to_the_demo_once_seeded_and_the_docs_before(
        app: Flask, runner) -> None:
    client = app.test_client()
    before = client.get("/")
    assert before.status_code == 302 and before.headers["Location"].endswith("/docs")
    runner.invoke(args=["init", "--demo"])
    after = client.get("/")
    assert after.status_code == 302 and after.headers["Location"].endswith("/demo")
    assert client.get("/", follow_redirects=True).status_code == 200
