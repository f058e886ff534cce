"""The Flask and request classes the collector runs on: lookups a page view makes many times
answered without the work werkzeug and Flask would redo on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import EnvironHeaders


class QuietEnvironHeaders(EnvironHeaders):
    """werkzeug's request headers, with ``get`` answering a missing header without raising
    and catching a ``KeyError`` inside: a widget's call lacks most headers anyone asks for
    (Authorization, Origin, Idempotency-Key, X-Request-Id…), on every page view."""

    # werkzeug overloads ``get`` for typing; this one answers every overload alike.
    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        if not isinstance(key, str):
            return super().get(key, default, type)
        name = key.upper().replace("-", "_")
        value = self.environ.get(name if name in {"CONTENT_TYPE", "CONTENT_LENGTH"}
                                 else f"HTTP_{name}")
        if value is None:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except ValueError:
            return default


class TenpointRequest(Request):
    def __init__(self, environ: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(environ, *args, **kwargs)
        self.headers = QuietEnvironHeaders(environ)


class TenpointFlask(Flask):
    """Flask that remembers which handlers are coroutines. Flask asks ``inspect`` afresh for
    every before- and after-request hook of every request (1 % of a widget page view's CPU,
    py-spy), though a function's kind never changes."""

    request_class = TenpointRequest

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._synced[func]
        except KeyError:
            synced = self._synced[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # an unhashable callable: asked each time, as Flask does
            return super().ensure_sync(func)
