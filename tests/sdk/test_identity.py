"""Identity tokens signed by the SDK are the collector's own format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from tenpoint import identity

from collector.access import identity as collector_identity

SECRET = "a3f" * 20
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_token_from_the_sdk_verifies_with_the_collector() -> None:
    token = identity.sign("u-42", SECRET, expires_in=3600, now=NOW.timestamp())
    assert collector_identity.verify(token, SECRET, NOW, user_id="u-42") == "u-42"


def test_the_token_is_byte_for_byte_the_collectors() -> None:
    expires = NOW + timedelta(hours=2)
    ours = identity.sign("üser/42 with spaces", SECRET, expires_in=timedelta(hours=2),
                         now=NOW.timestamp())
    assert ours == collector_identity.sign("üser/42 with spaces", SECRET, expires)


def test_an_expired_token_is_refused() -> None:
    token = identity.sign("u-42", SECRET, expires_in=60, now=NOW.timestamp())
    with pytest.raises(collector_identity.IdentityError) as raised:
        collector_identity.verify(token, SECRET, NOW + timedelta(minutes=2))
    assert raised.value.code == "identity_token_expired"


@pytest.mark.parametrize("forge", [
    lambda token: identity.sign("u-42", "wrong-secret", now=NOW.timestamp()),
    lambda token: token.replace(token.split(".")[1], identity.sign("u-1", SECRET).split(".")[1]),
    lambda token: ".".join([*token.split(".")[:2], str(int(token.split(".")[2]) + 99999),
                            token.split(".")[3]]),
], ids=["wrong_secret", "swapped_user", "extended_expiry"])
def test_forged_tokens_are_refused(forge: Callable[[str], str]) -> None:
    token = identity.sign("u-42", SECRET, now=NOW.timestamp())
    with pytest.raises(collector_identity.IdentityError) as raised:
        collector_identity.verify(forge(token), SECRET, NOW, user_id="u-42")
    assert raised.value.code in {"identity_token_invalid", "identity_token_mismatch"}


def test_a_token_for_another_user_is_refused() -> None:
    token = identity.sign("u-1", SECRET, now=NOW.timestamp())
    with pytest.raises(collector_identity.IdentityError) as raised:
        collector_identity.verify(token, SECRET, NOW, user_id="u-42")
    assert raised.value.code == "identity_token_mismatch"


@pytest.mark.parametrize("arguments", [("", SECRET), ("u-42", "")])
def test_signing_needs_a_user_and_a_secret(arguments: tuple[str, str]) -> None:
    with pytest.raises(ValueError):
        identity.sign(*arguments)
