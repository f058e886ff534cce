"""The email's score buttons: all eleven the same width, comfortable to tap on a phone."""

from __future__ import annotations

import pytest

from collector.eligibility.invitation_emails import render_invitation_email
from tests.factories import TEXTS_EN

pytestmark = pytest.mark.browser


def button_boxes(browser, width: int) -> list[dict[str, float]]:
    rendered = render_invitation_email(
        texts=TEXTS_EN, locale="en", site_name="Acme", person_name="Dana",
        survey_url="https://collector.test/s/token", unsubscribe_url="https://collector.test/u/t")
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.set_content(rendered.html)
        return [page.get_by_role("link", name=str(n), exact=True).bounding_box()
                for n in range(11)]
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 600, 1024])
def test_the_ten_button_is_as_wide_as_the_others(browser, width: int) -> None:
    widths = [round(box["width"]) for box in button_boxes(browser, width)]
    assert max(widths) - min(widths) <= 1, widths


def test_on_a_375_px_phone_every_score_is_at_least_44_px_square(browser) -> None:
    boxes = button_boxes(browser, 375)
    assert min(min(box["width"], box["height"]) for box in boxes) >= 44
    assert max(box["x"] + box["width"] for box in boxes) <= 375  # nothing off screen
