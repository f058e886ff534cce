"""Surveys in the console: the list with versions and rules, the preview in each locale, and
edits that are saved as a new version (or refused, field by field, and not saved)."""

from __future__ import annotations

from typing import Any

import pytest

from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from tests.collector.conftest import Stage
from tests.collector.console.conftest import SignIn, page
from tests.factories import TEXTS_EN


@pytest.fixture
def bilingual(stage: Stage) -> Stage:
    from collector.core.clock import now
    from collector.surveys.definitions import update_survey

    with stage.app.app_context():
        survey = find_survey(db.session, stage.keys.site_id, "nps")
        assert survey is not None and survey.current_version is not None
        config = {**survey.current_version.config,
                  "texts": {"en": TEXTS_EN, "ar": {"question": "ما مدى احتمال أن توصي بنا؟"}},
                  "rules": {"sample_rate": 0.5}}
        update_survey(db.session, survey, changes={"config": config}, now=now(), actor="test")
        db.session.commit()
    return stage


def _config(stage: Stage) -> tuple[int, str, dict[str, Any]]:
    with stage.app.app_context():
        survey = find_survey(db.session, stage.keys.site_id, "nps")
        assert survey is not None and survey.current_version is not None
        version = survey.current_version
        return version.number, version.name, version.config


def test_the_list_shows_versions_locales_and_rules(bilingual: Stage, sign_in: SignIn) -> None:
    html = page(sign_in("read"), "/console/surveys")
    assert ">NPS</a> (nps) · version 2" in html
    assert "Locales: ar, en" in html and "sample_rate 0.5" in html


def test_the_preview_shows_each_locale_in_its_direction(bilingual: Stage,
                                                        sign_in: SignIn) -> None:
    html = page(sign_in("read"), "/console/surveys/nps")
    assert 'lang="ar" dir="rtl"' in html and 'lang="en" dir="ltr"' in html
    assert "ما مدى احتمال أن توصي بنا؟" in html and TEXTS_EN["question"] in html
    assert "Not at all likely" in html  # the interface strings of the locale
    assert "Save as a new version" not in html  # read key: no form


def test_an_edit_is_saved_as_a_new_version(bilingual: Stage, sign_in: SignIn) -> None:
    client = sign_in("admin")
    form = {"name": "After checkout", "texts.en.question": "Would you recommend us?",
            "texts.en.follow_up.detractor": "", "texts.ar.question": "سؤال",
            "rules.sample_rate": "0.25", "rules.recontact_days": "60",
            "appearance.brand_color": "#3355ff", "appearance.position": "bottom-left"}
    answer = client.post("/console/surveys/nps", data=form)
    assert answer.status_code == 303
    assert "Saved as version 3." in page(client, "/console/surveys/nps")
    number, name, config = _config(bilingual)
    assert (number, name) == (3, "After checkout")
    assert config["texts"]["en"]["question"] == "Would you recommend us?"
    assert "detractor" not in config["texts"]["en"]["follow_up"]
    assert config["texts"]["en"]["follow_up"]["promoter"] == TEXTS_EN["follow_up"]["promoter"]
    assert config["rules"] == {"sample_rate": 0.25, "recontact_days": 60}
    assert config["appearance"] == {"brand_color": "#3355ff", "position": "bottom-left"}
    assert 'stroke="#3355ff"' in page(client, "/console/surveys/nps")


def test_saving_an_unchanged_form_writes_no_version(bilingual: Stage, sign_in: SignIn) -> None:
    from collector.console.survey_editing import form_values

    _, name, config = _config(bilingual)
    client = sign_in("admin")
    client.post("/console/surveys/nps", data=form_values(name, config))
    assert "Nothing changed." in page(client, "/console/surveys/nps")
    assert _config(bilingual)[0] == 2


@pytest.mark.parametrize(("field", "value", "message"), [
    ("appearance.brand_color", "blue", "Use a colour like #3355ff."),
    ("rules.sample_rate", "2", "rules.sample_rate"),
    ("rules.recontact_days", "soon", "Enter a whole number."),
    ("texts.en.question", "", "texts.en.question"),
    ("name", "", "A name is 1 to 200 characters."),
])
def test_a_bad_edit_is_explained_and_not_saved(bilingual: Stage, sign_in: SignIn, field: str,
                                               value: str, message: str) -> None:
    from collector.console.survey_editing import form_values

    _, name, config = _config(bilingual)
    answer = sign_in("admin").post("/console/surveys/nps",
                                   data={**form_values(name, config), field: value})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'role="alert"' in html and message in html
    assert _config(bilingual)[0] == 2


@pytest.mark.parametrize(("role", "headers"), [
    ("read", {}), ("admin", {"Origin": "https://evil.example"}),
])
def test_read_keys_and_other_sites_cannot_edit(bilingual: Stage, sign_in: SignIn, role: str,
                                               headers: dict[str, str]) -> None:
    answer = sign_in(role).post("/console/surveys/nps", data={"name": "Hijacked"},
                                headers=headers)
    assert answer.status_code == 403 and _config(bilingual)[0] == 2


def test_an_unknown_survey_is_not_found(sign_in: SignIn) -> None:
    assert sign_in("read").get("/console/surveys/nope").status_code == 404
