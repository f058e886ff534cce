"""The bench harness's pure helpers: the published figures are only as right as these."""

from __future__ import annotations

import json

import pytest

from bench.harness import (
    Comparison,
    emit,
    figure,
    figures_markdown,
    interleave,
    markdown_table,
    median,
    parse_emitted,
    percentile,
    ratio,
    replace_section,
)
from bench.load import LoadResult, RequestSpec, fill, made_up_ip, parse_wrk, wrk_script
from bench.run_all import discover


def test_percentile_interpolates_between_closest_ranks() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4], 0) == 1
    assert percentile([1, 2, 3, 4], 100) == 4
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7], 99) == 7


def test_percentile_refuses_nothing_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_median_of_odd_and_even_counts() -> None:
    assert median([5, 1, 3]) == 3
    assert median([1, 2, 3, 10]) == 2.5


def test_ratio_is_zero_when_the_baseline_measured_nothing() -> None:
    assert ratio(50, 200) == 0.25
    assert ratio(50, 0) == 0.0


def test_interleave_alternates_baseline_and_subject() -> None:
    order: list[str] = []
    comparison = interleave("x", lambda: order.append("A") or 1, lambda: order.append("B") or 2,
                            rounds=3)
    assert order == ["A", "B", "A", "B", "A", "B"]
    assert comparison.baseline == [1, 1, 1] and comparison.subject == [2, 2, 2]


def test_comparison_ratio_is_the_ratio_of_median_throughputs() -> None:
    def result(requests: int) -> LoadResult:
        return LoadResult(requests=requests, seconds=1.0, errors=0, p50_ms=1.0, p99_ms=2.0)

    comparison = Comparison("x", baseline=[result(100), result(1000), result(200)],
                            subject=[result(50), result(60), result(10)])
    assert comparison.median_of("baseline", "rps") == 200
    assert comparison.throughput_ratio == pytest.approx(50 / 200)


def test_emitted_line_is_found_after_other_output(capsys: pytest.CaptureFixture[str]) -> None:
    print("table | 1 | 2")
    print(json.dumps({"not": "a bench"}))
    emit("demo", [figure("speed", 0.61234567, "x", goal=">= 0.5", ok=True)], quick=True)
    result = parse_emitted(capsys.readouterr().out)
    assert result is not None
    assert result["bench"] == "demo" and result["quick"] is True
    assert result["figures"] == [{"name": "speed", "value": 0.6123, "unit": "x",
                                  "goal": ">= 0.5", "ok": True}]


def test_output_without_a_figures_line_gives_none() -> None:
    assert parse_emitted("Traceback...\n{broken json\n") is None
    assert parse_emitted('{"bench": "x"}\n') is None  # no figures list


def test_new_section_goes_before_the_end_marker_and_keeps_the_prose() -> None:
    text = "# Benchmarks\n\nIntro.\n\n<!-- bench:end -->\n\nMethod notes.\n"
    updated = replace_section(text, "http_throughput", "figures v1")
    assert updated.index("### http_throughput") < updated.index("<!-- bench:end -->")
    assert "<!-- bench:http_throughput -->\nfigures v1\n<!-- /bench:http_throughput -->" in updated
    assert updated.startswith("# Benchmarks\n\nIntro.") and updated.endswith("Method notes.\n")


def test_existing_section_is_replaced_in_place_only() -> None:
    text = replace_section("# B\n<!-- bench:end -->\n", "a", "old a")
    text = replace_section(text, "b", "old b")
    updated = replace_section(text, "a", "new a")
    assert "new a" in updated and "old a" not in updated and "old b" in updated
    assert updated.count("<!-- bench:a -->") == 1
    assert replace_section(updated, "a", "new a") == updated


def test_markdown_table_formats_numbers_booleans_and_blanks() -> None:
    table = markdown_table(("a", "b", "c", "d"), [(0.12345, 1234.56, None, False)])
    assert table.splitlines() == ["| a | b | c | d |", "| --- | --- | --- | --- |",
                                  "| 0.123 | 1,234.6 |  | **no** |"]


def test_figures_markdown_says_when_and_how() -> None:
    body = figures_markdown({"bench": "x", "quick": True, "notes": "wrk, 2 rounds",
                             "figures": [figure("ratio", 0.7, "x", baseline=1.0, goal=">= 0.5",
                                                ok=True)]}, "2026-11-22 17:00 UTC")
    assert body.startswith("_Measured 2026-11-22 17:00 UTC (quick run)._ wrk, 2 rounds")
    assert "| ratio | 0.700 | x | 1.000 | >= 0.5 | yes |" in body


def test_wrk_figures_line_is_parsed() -> None:
    result = parse_wrk('Running 2s test\nWRK {"requests":500,"duration_us":2000000,"non2xx":3,'
                       '"socket":1,"p50_us":4500,"p99_us":20000,"429":2,"503":1,"4xx":0,'
                       '"5xx":0}\n')
    assert (result.rps, result.errors, result.p50_ms, result.p99_ms) == (250, 4, 4.5, 20)
    assert result.statuses == {"socket": 1, "429": 2, "503": 1}


def test_placeholders_make_every_request_unique() -> None:
    assert fill("/r?k={{id}}", "abc-1", "10.0.0.1") == "/r?k=abc-1"
    assert fill("{{ip}}", "x", made_up_ip(3, 258)) == "10.3.1.2"
    script = wrk_script(RequestSpec("POST", "/v1/x?id={{id}}", '{"a": "{{id}}"}',
                                    {"X-Forwarded-For": "{{ip}}"}), "run1", 7)
    assert 'local method = "POST"' in script
    assert '"/v1/x?id={{id}}"' in script and '["X-Forwarded-For"] = "{{ip}}"' in script


def test_run_all_runs_bench_scripts_but_not_helpers_or_the_soak() -> None:
    names = {path.stem for path in discover()}
    assert {"http_throughput", "layers"} <= names
    assert not names & {"harness", "load", "services", "hello_world", "stack_floor",
                        "direct_view", "run_all"}
    assert not any(name.startswith(("soak", "_")) for name in names)
