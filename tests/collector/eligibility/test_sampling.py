"""Sticky sampling: the same draw in every process, the rate honoured, surveys independent."""

from __future__ import annotations

import json
import math
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.eligibility import rules as eligibility
from collector.eligibility.rules import sample_draw

keys = st.text(min_size=1, max_size=40)
salts = st.text(alphabet="0123456789abcdef", min_size=8, max_size=32)


@given(salt=salts, key=keys)
def test_the_draw_is_in_the_unit_interval_and_repeatable(salt: str, key: str) -> None:
    draw = sample_draw(salt, key)
    assert 0.0 <= draw < 1.0
    assert sample_draw(salt, key) == draw


@settings(max_examples=10, deadline=None)
@given(salt=salts, people=st.lists(keys, min_size=1, max_size=30, unique=True))
def test_another_process_draws_the_same_numbers(salt: str, people: list[str]) -> None:
    # A fresh interpreter with its own hash seed: nothing may depend on hash() or memory.
    # The rules module needs only the standard library, so it loads without the app.
    script = ("import importlib.util, json, sys; "
              "spec = importlib.util.spec_from_file_location('rules', sys.argv[1]); "
              "rules = sys.modules['rules'] = importlib.util.module_from_spec(spec); "
              "spec.loader.exec_module(rules); "
              "salt, people = json.load(sys.stdin); "
              "print(json.dumps([rules.sample_draw(salt, p) for p in people]))")
    result = subprocess.run([sys.executable, "-c", script, eligibility.__file__],
                            input=json.dumps([salt, people]),
                            capture_output=True, text=True, check=True, timeout=60,
                            env={"PYTHONHASHSEED": "random", "PATH": ""})
    assert json.loads(result.stdout) == [sample_draw(salt, p) for p in people]


def _tolerance(n: int, rate: float) -> float:
    # Five standard deviations of a binomial proportion: fails by chance ~1 in 3.5 million.
    return 5 * math.sqrt(rate * (1 - rate) / n) + 1 / n


@settings(max_examples=20, deadline=None)
@given(salt=salts, rate=st.floats(min_value=0.0, max_value=1.0))
def test_the_sampled_fraction_matches_the_rate(salt: str, rate: float) -> None:
    n = 4000
    sampled = sum(sample_draw(salt, f"user:{i}") < rate for i in range(n))
    assert abs(sampled / n - rate) <= _tolerance(n, rate)


@settings(max_examples=10, deadline=None)
@given(first=salts, second=salts, rate=st.floats(min_value=0.1, max_value=0.9))
def test_two_surveys_sample_independently(first: str, second: str, rate: float) -> None:
    if first == second:
        return
    n = 4000
    in_first = [sample_draw(first, f"user:{i}") < rate for i in range(n)]
    in_second = [sample_draw(second, f"user:{i}") < rate for i in range(n)]
    both = sum(a and b for a, b in zip(in_first, in_second, strict=True))
    # Independent: P(both) = rate², within binomial tolerance.
    assert abs(both / n - rate * rate) <= _tolerance(n, rate * rate)
