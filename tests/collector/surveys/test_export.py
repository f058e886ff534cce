"""`tenpoint surveys export` writes the TOML `surveys apply` reads (issue 25)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.collector.conftest import Stage

RICH = {
    "key": "checkout", "name": "Checkout NPS", "active": False,
    "config": {
        "texts": {
            "en": {"question": "How likely are you to recommend our checkout?",
                   "follow_up": {"detractor": "What went wrong?", "passive": "What's missing?",
                                 "promoter": "What did you like?"},
                   "thank_you": {"promoter": "Thanks! Say it \"out loud\"?"},
                   "promoter_link_label": "Review us",
                   "promoter_link_url": "https://reviews.example.com/acme"},
            "ar": {"question": "ما مدى احتمال أن توصي بنا؟"},
        },
        "default_locale": "en", "touchpoint": "checkout",
        "appearance": {"brand_color": "#0f766e", "position": "bottom-left", "theme": "dark"},
        "rules": {"sample_rate": 0.25, "recontact_days": 60},
        "show_on": {"events": ["checkout.done", "order.paid"], "delay_seconds": 3},
    },
}


def test_export_then_apply_changes_nothing(stage: Stage, tmp_path: Path) -> None:
    created = stage.client.post("/v1/surveys", json=RICH, headers=stage.keys.auth("secret"))
    assert created.status_code == 201, created.json
    runner = stage.app.test_cli_runner()
    exported = runner.invoke(args=["surveys", "export"])
    assert exported.exit_code == 0, exported.output
    surveys = tomllib.loads(exported.output)["surveys"]
    assert surveys["checkout"]["config"]["show_on"]["events"] == ["checkout.done", "order.paid"]
    assert surveys["checkout"]["active"] is False
    path = tmp_path / "surveys.toml"
    path.write_text(exported.output, encoding="utf-8")
    applied = runner.invoke(args=["surveys", "apply", str(path), "--yes"])
    assert applied.exit_code == 0, applied.output
    assert "Nothing to change." in applied.output
    assert "checkout: unchanged" in applied.output and "nps: unchanged" in applied.output


def test_export_to_a_file_of_chosen_surveys(stage: Stage, tmp_path: Path) -> None:
    stage.client.post("/v1/surveys", json=RICH, headers=stage.keys.auth("secret"))
    out = tmp_path / "checkout.toml"
    runner = stage.app.test_cli_runner()
    result = runner.invoke(args=["surveys", "export", "--survey", "checkout", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert list(tomllib.loads(out.read_text(encoding="utf-8"))["surveys"]) == ["checkout"]
    unknown = runner.invoke(args=["surveys", "export", "--survey", "nope"])
    assert unknown.exit_code != 0 and "nope" in unknown.output
