"""Single use of display tokens, kept by the database: the first answer naming a token id
inserts its row, every later one finds it taken. ``INSERT … ON CONFLICT DO NOTHING`` on the
primary key, so two processes answering with one token at the same moment cannot both win
(PostgreSQL makes the second wait for the first's commit; SQLite writers queue)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from collector.core.rows import rows_changed
from collector.models import DisplayTokenUse
from collector.models.base import UTCDateTime
from collector.protection.display_tokens import TOKEN_LIFETIME


def _claim(dialect: Any) -> Any:
    return dialect.insert(DisplayTokenUse).values(
        token_id=bindparam("token_id"), site_id=bindparam("site_id"),
        survey_id=bindparam("survey_id"), used_at=bindparam("used_at", type_=UTCDateTime()),
    ).on_conflict_do_nothing(index_elements=["token_id"]).returning(DisplayTokenUse.token_id)


# Built once: this runs on every browser answer.
_CLAIMS = {"postgresql": _claim(postgresql), "sqlite": _claim(sqlite)}


def claim_token(session: Session, token_id: str, *, site_id: int, survey_id: int,
                now: datetime) -> bool:
    """Mark the token used in the session's transaction; ``False`` when it already was.
    RETURNING, not the row count: drivers disagree about the count of a skipped insert."""
    connection = session.connection()
    return connection.execute(_CLAIMS[connection.dialect.name], {
        "token_id": token_id[:32], "site_id": site_id, "survey_id": survey_id,
        "used_at": now}).scalar() is not None


def forget_expired_uses(session: Session, now: datetime) -> int:
    """A token is issued before it is used, so one used more than its lifetime ago is
    refused as expired anyway: its row can go."""
    return rows_changed(session.execute(delete(DisplayTokenUse).where(
        DisplayTokenUse.used_at < now - TOKEN_LIFETIME)))
