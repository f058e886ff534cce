"""Which user agents are people: the corpus's families one by one (issue 22), so a miss
names its family."""

from __future__ import annotations

import pytest

from collector.protection.user_agents import AI_AGENT, BROWSER, CRAWLER, MONITOR, classify
from tests.collector.protection.corpus import (
    AI_AGENTS,
    COMPATIBLE_AGENTS,
    MONITOR_AGENTS,
    PEOPLE_IN_APPS,
)


@pytest.mark.parametrize("agent", MONITOR_AGENTS)
def test_browsers_carrying_a_monitors_name_are_not_people(agent: str) -> None:
    assert not classify(agent).human


@pytest.mark.parametrize("agent", AI_AGENTS)
def test_ai_agents_acting_for_someone_are_not_people(agent: str) -> None:
    assert not classify(agent).human


@pytest.mark.parametrize("agent", COMPATIBLE_AGENTS)
def test_a_compatible_string_naming_no_browser_is_a_crawler(agent: str) -> None:
    assert not classify(agent).human


@pytest.mark.parametrize("agent", PEOPLE_IN_APPS)
def test_people_in_electron_apps_and_in_app_browsers_are_people(agent: str) -> None:
    assert classify(agent).human


def test_each_family_is_named_for_whoever_reviews_the_quarantine() -> None:
    chrome = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
    assert classify(chrome).kind == BROWSER
    assert classify(chrome + " DatadogSynthetics").kind == MONITOR
    assert classify(chrome + " MistralAI-User/1.0").kind == AI_AGENT
    assert classify("Mozilla/5.0 (compatible; Genieo/1.0)").kind == CRAWLER


def test_the_pattern_library_is_consulted_beyond_our_own_lists() -> None:
    # Named by crawlerdetect only: none of our patterns, ua-parser or the bot words know it.
    agent = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.0.0 Safari/537.36 Google-Read-Aloud")
    assert classify(agent).kind == CRAWLER
