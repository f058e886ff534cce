"""What the API answers, as small typed values; and the auto-paging list iterator."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional, Union

from tenpoint._errors import TenpointError

InvitationId = Union[int, str]
Params = Mapping[str, Any]


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 from the collector; ``Z`` accepted even on Python 3.9/3.10."""
    if not isinstance(value, str) or not value:
        return None
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Invitation:
    """An invitation the collector created: ``url`` is the hosted survey link."""

    id: InvitationId
    url: str | None = None
    send_at: datetime | None = None
    channel: str | None = None
    status: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Invitation:
        return cls(id=data["id"], url=data.get("url"), send_at=parse_time(data.get("send_at")),
                   channel=data.get("channel"), status=data.get("status"), raw=dict(data))


@dataclass(frozen=True)
class Decision:
    """The answer to a trigger or a check: eligible or not, the reason code, the invitation."""

    eligible: bool
    reason: str
    invitation: Invitation | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.eligible

    @classmethod
    def from_dict(cls, data: Any) -> Decision:
        if not isinstance(data, dict) or "eligible" not in data or "reason" not in data:
            raise TenpointError("The collector's answer is not a decision.", body=None)
        invitation = data.get("invitation")
        return cls(eligible=bool(data["eligible"]), reason=str(data["reason"]),
                   invitation=Invitation.from_dict(invitation) if invitation else None,
                   raw=data)


FetchPage = Callable[[Optional[str]], Any]


class ListIterator(Iterator[dict[str, Any]]):
    """Iterate over every item of a cursor-paged list, fetching pages as they are needed.

    ``{"data": [...], "has_more": bool, "next_cursor": str|null}``: the next page is asked for
    with ``cursor=next_cursor`` only when the current one is used up.
    """

    def __init__(self, fetch: FetchPage) -> None:
        self._fetch = fetch
        self._items: list[dict[str, Any]] = []
        self._position = 0
        self._cursor: str | None = None
        self._done = False
        self.pages_fetched = 0

    def __iter__(self) -> ListIterator:
        return self

    def __next__(self) -> dict[str, Any]:
        while self._position >= len(self._items):
            if self._done:
                raise StopIteration
            self._load_page()
        item = self._items[self._position]
        self._position += 1
        return item

    def _load_page(self) -> None:
        page = self._fetch(self._cursor)
        self.pages_fetched += 1
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise TenpointError("The collector's answer is not a list page.")
        self._items = page["data"]
        self._position = 0
        self._cursor = page.get("next_cursor")
        self._done = not (page.get("has_more") and self._cursor)
