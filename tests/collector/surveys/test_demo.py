"""The demo a newcomer tries first: its snippet, its languages, its links, "Ask me again"."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from flask import Flask

from collector.core.extensions import db
from collector.languages.survey_texts import text_direction
from collector.pages.snippet import LOADER, embed_code
from collector.surveys.demo import DEMO_SURVEY, demo_keys
from widget.build import snippet

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_shows_the_built_snippet_and_the_embed_code() -> None:
    built = snippet().replace("https://COLLECTOR", "{collector}").replace("SITE_KEY", "{key}")
    assert f"<script>{built}</script>" == LOADER
    assert embed_code("https://nps.example.com", "pk_…") in README.read_text()


def test_the_demo_page_shows_the_readme_embed_code_without_comments_inside_html(
        app: Flask, runner) -> None:
    runner.invoke(args=["init", "--demo", "--json"])
    page = app.test_client().get("/demo").get_data(as_text=True)
    [shown] = re.findall(r"<pre><code>(.*?)</code></pre>", page, re.S)
    key = demo_keys(app.config["SECRET_KEY"])["publishable"]
    assert html.unescape(shown) == embed_code("http://localhost", key, DEMO_SURVEY)
    assert "//" not in html.unescape(shown).replace("http://", "")


def demo_survey(app: Flask, runner) -> dict:
    keys = json.loads(runner.invoke(args=["init", "--demo", "--json"]).output)
    return app.test_client().get(f"/v1/surveys/{DEMO_SURVEY}",
                                 headers={"Authorization": f"Bearer {keys['secret_key']}"}).json


def test_the_demo_survey_speaks_several_languages_one_right_to_left(app: Flask, runner) -> None:
    texts = demo_survey(app, runner)["config"]["texts"]
    assert len(texts) >= 5
    assert "rtl" in {text_direction(tag) for tag in texts}
    assert all(set(t) >= {"question", "follow_up", "thank_you"} for t in texts.values())


def test_the_demo_promoter_thank_you_links_to_somewhere_real(app: Flask, runner) -> None:
    app.config["PUBLIC_URL"] = "https://nps.example.com"
    texts = demo_survey(app, runner)["config"]["texts"]
    assert {t["promoter_link_url"] for t in texts.values()} == {"https://nps.example.com/demo"}
    assert all(t["promoter_link_label"] for t in texts.values())


def test_the_demo_site_allows_repeat_answers(app: Flask, runner) -> None:
    from collector.models import Site

    runner.invoke(args=["init", "--demo"])
    with app.app_context():
        site = db.session.query(Site).filter_by(slug="demo").one()
        assert site.settings["allow_repeat_answers"] is True
