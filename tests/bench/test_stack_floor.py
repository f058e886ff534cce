"""The floor app the throughput bench compares with: it must really read and really store,
or the ceiling it reports would be a hello-world in disguise."""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path

import pytest

from bench import stack_floor
from collector.core.database import migrate


def test_the_floor_reads_the_person_and_stores_the_answer(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/floor.db"
    migrate(url)
    stack_floor.prepare(url)
    with sqlite3.connect(tmp_path / "floor.db") as connection:
        connection.execute("INSERT INTO sites (id, slug, name, allowed_origins, default_locale, "
                           "identity_secret, require_identity, settings, created_at) VALUES "
                           "(1, 's', 'S', '[]', 'en', 'x', 0, '{}', '2026-01-01')")
        connection.execute("INSERT INTO people (site_id, external_id, properties, first_seen_at,"
                           " updated_at) VALUES (1, 'known', '{}', '2026-01-01', '2026-01-01')")
    monkeypatch.setenv("TENPOINT_DATABASE_URL", url)
    monkeypatch.delenv("TENPOINT_REDIS_URL", raising=False)
    floor = importlib.reload(stack_floor)
    client = floor.app.test_client()
    headers = {"Content-Type": "text/plain", "X-Forwarded-For": "10.0.0.1"}
    known = client.post("/v1/eligibility?key=pk", data='{"user_id": "known"}', headers=headers)
    new = client.post("/v1/eligibility?key=pk", data='{"user_id": "new"}', headers=headers)
    assert (known.json["reason"], new.json["reason"]) == ("recently_surveyed", "eligible")
    stored = client.post("/v1/responses", data='{"score": 9}', headers=headers)
    assert stored.status_code == 201
    with sqlite3.connect(tmp_path / "floor.db") as connection:
        assert connection.execute("SELECT body FROM floor_answers").fetchall() == [
            ('{"score": 9}',)]
