"""The SDK never sends NaN or Infinity: not JSON, and refused by the collector anyway."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import tenpoint


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"properties": {"plan": float("nan")}}, "properties.plan"),
    ({"properties": {"mrr": float("inf")}}, "properties.mrr"),
    ({"value": float("-inf")}, "value"),
])
def test_nan_or_infinity_raises_before_anything_is_sent(
    sdk: tenpoint.Client, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(tenpoint.InvalidBodyError) as raised:
        sdk.responses.create("nps", 9, **kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field and raised.value.code == "non_finite_number"
    assert isinstance(raised.value, ValueError)
    assert list(sdk.responses.list()) == []


def test_background_mode_raises_at_the_call_not_in_the_worker(
    make_client: Callable[..., tenpoint.Client]
) -> None:
    client = make_client(background=True)
    with pytest.raises(tenpoint.InvalidBodyError, match=r"properties\.plan"):
        client.trigger("nps", user_id="u-1", properties={"plan": float("nan")})


def test_finite_numbers_and_none_are_sent(sdk: tenpoint.Client) -> None:
    stored = sdk.responses.create("nps", 9, properties={"mrr": 12.5, "plan": None}, value=3.0)
    assert stored["properties"] == {"mrr": 12.5, "plan": None}
