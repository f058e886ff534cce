"""``tenpoint sites``: a new site and its keys in one command, then its origins and settings."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select

from collector.core.extensions import db
from collector.models import AuditEntry


def create(runner, *args: str) -> dict:
    result = runner.invoke(args=["sites", "create", "acme", "--name", "Acme",
                                 "--origin", "https://app.acme.test", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_create_prints_four_working_keys_once(app: Flask, runner) -> None:
    made = create(runner)
    assert made["site"] == "acme" and made["allowed_origins"] == ["https://app.acme.test"]
    prefixes = {name: made[name][:3] for name in
                ("publishable_key", "secret_key", "read_key", "admin_key")}
    assert prefixes == {"publishable_key": "pk_", "secret_key": "sk_", "read_key": "rk_",
                        "admin_key": "ak_"}
    client = app.test_client()
    site = client.get("/v1/site", headers={"Authorization": f"Bearer {made['admin_key']}"})
    assert site.json["name"] == "Acme" and site.json["identity_secret"]
    eligibility = client.post(f"/v1/eligibility?key={made['publishable_key']}",
                              json={"survey": "none", "anonymous_id": "a"},
                              headers={"Origin": "https://app.acme.test"})
    assert eligibility.status_code != 403
    shown = runner.invoke(args=["sites", "show", "acme", "--json"])
    assert made["secret_key"] not in shown.output


def test_create_without_json_prints_the_keys_and_the_snippet(runner) -> None:
    result = runner.invoke(args=["sites", "create", "acme", "--origin", "https://app.acme.test"])
    assert result.exit_code == 0, result.output
    assert "Admin key:       ak_" in result.output
    assert 'src="http://collector.test/widget.js" data-site-key="pk_' in result.output


def test_a_taken_slug_or_a_bad_origin_is_a_usage_error(runner) -> None:
    create(runner)
    again = runner.invoke(args=["sites", "create", "acme"])
    bad = runner.invoke(args=["sites", "create", "shop", "--origin", "shop.example.com/x"])
    locale = runner.invoke(args=["sites", "create", "shop", "--locale", "xx-nope"])
    assert "--locale" in locale.output
    for result in (again, bad, locale):
        assert result.exit_code == 2 and "Traceback" not in result.output
    assert "already exists" in again.output
    assert "--origin" in bad.output and "https://app.example.com" in bad.output


def test_list_and_show(runner) -> None:
    create(runner)
    listed = runner.invoke(args=["sites", "list"])
    assert "acme" in listed.output and "https://app.acme.test" in listed.output
    shown = json.loads(runner.invoke(args=["sites", "show", "acme", "--json"]).output)
    assert shown["allowed_origins"] == ["https://app.acme.test"]
    assert len(shown["identity_secret"]) >= 32


def test_update_edits_origins_and_settings_and_is_audited(app: Flask, runner) -> None:
    create(runner)
    result = runner.invoke(args=[
        "sites", "update", "acme", "--add-origin", "https://www.acme.test",
        "--remove-origin", "https://app.acme.test", "--set", "retention_comment_days=30",
        "--set", 'eligibility={"sample_rate": 0.25}', "--json"])
    assert result.exit_code == 0, result.output
    site = json.loads(result.output)
    assert site["allowed_origins"] == ["https://www.acme.test"]
    assert site["settings"] == {"retention_comment_days": 30,
                                "eligibility": {"sample_rate": 0.25}}
    unset = runner.invoke(args=["sites", "update", "acme", "--unset", "eligibility", "--json"])
    assert json.loads(unset.output)["settings"] == {"retention_comment_days": 30}
    with app.app_context():
        actions = [(e.actor, e.action) for e in db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [("cli", "site.created"), ("cli", "site.updated"),
                       ("cli", "site.updated")]


def test_an_unknown_or_invalid_setting_is_refused_and_nothing_changes(runner) -> None:
    create(runner)
    for pair in ("colour=blue", "retention_comment_days=-3", "alert_alpha=2", "nokey"):
        result = runner.invoke(args=["sites", "update", "acme", "--set", pair])
        assert result.exit_code == 2 and "--set" in result.output, (pair, result.output)
    shown = json.loads(runner.invoke(args=["sites", "show", "acme", "--json"]).output)
    assert shown["settings"] == {}


def test_removing_an_origin_the_site_lacks_is_an_error(runner) -> None:
    create(runner)
    result = runner.invoke(args=["sites", "update", "acme", "--remove-origin",
                                 "https://other.test"])
    assert result.exit_code == 2 and "is not one of this site's allowed origins" in result.output


def test_rotate_identity_secret_prints_the_new_one(runner) -> None:
    create(runner)
    before = json.loads(runner.invoke(args=["sites", "show", "acme", "--json"]).output)
    result = runner.invoke(args=["sites", "update", "acme", "--rotate-identity-secret"])
    after = json.loads(runner.invoke(args=["sites", "show", "acme", "--json"]).output)
    assert after["identity_secret"] != before["identity_secret"]
    assert f"New identity secret: {after['identity_secret']}" in result.output


def test_an_unknown_site_names_the_known_ones(runner) -> None:
    create(runner)
    result = runner.invoke(args=["sites", "show", "nope"])
    assert result.exit_code == 1 and "No site 'nope' (sites: acme)" in result.output
