"""The soak's accounting: "nothing lost, nothing twice" is only as true as these counts."""

from __future__ import annotations

from bench.soak import account
from bench.soak_clients import Tally
from bench.soak_faults import _server_errors, _window


def test_lost_duplicates_and_abandoned_answers_are_counted_apart() -> None:
    tally = Tally(acknowledged={"a": 1, "b": 2, "c": 3}, abandoned={"d", "e"})
    stored = {"a": [1], "b": [2, 5], "d": [7]}
    summary = account(tally, stored)
    assert summary["acknowledged"] == 3 and summary["answers"] == 5
    assert summary["stored"] == 3
    assert summary["duplicates"] == 1
    assert (summary["lost"], summary["lost_examples"]) == (1, ["c"])
    assert summary["stored_but_abandoned"] == 1
    assert summary["acknowledged_id_mismatch"] == 0


def test_an_acknowledged_id_that_is_not_the_stored_one_is_flagged() -> None:
    summary = account(Tally(acknowledged={"a": 1}), {"a": [9]})
    assert summary["lost"] == 0 and summary["acknowledged_id_mismatch"] == 1


def test_fault_window_counts_only_attempts_inside_it() -> None:
    tally = Tally()
    tally.timeline = [(0.5, "201"), (1.0, "503"), (1.5, "500"), (2.0, "replay 502"),
                      (3.0, "201")]
    counts = _window(tally, 1.0, 3.0)
    assert counts == {"503": 1, "500": 1, "replay 502": 1}
    assert _server_errors(counts) == 2  # 503 is the allowed answer; 500 and 502 are not
