"""Webhooks over HTTPS, to a real TLS receiver on loopback: delivered when its certificate
is trusted and names the host, refused (and retried later, nothing lost) when it is not."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from tests.collector.delivery.webhooks.receiver import Receiver, start_receiver
from tests.collector.delivery.webhooks.test_delivery import (
    _answer,
    _endpoint,
    _run,
    _setup,
    _worker,
)

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None,
                                reason="needs the openssl command to make a test CA")


@dataclass
class Authority:
    ca: Path
    cert: Path
    key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """A throwaway CA and a server certificate it signed for ``localhost``."""
    work = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=Tenpoint test CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=work)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-keyout", "server.key", "-out", "server.csr", cwd=work)
    (work / "san.cnf").write_text("subjectAltName=DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.pem",
             cwd=work)
    return Authority(work / "ca.pem", work / "server.pem", work / "server.key")


@pytest.fixture
def tls_receiver(authority: Authority) -> Iterator[Receiver]:
    found, server = start_receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(authority.cert, authority.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    found.url = f"https://localhost:{server.server_port}/hooks"
    yield found
    server.shutdown()
    server.server_close()


def test_an_https_receiver_with_a_trusted_certificate_gets_signed_events(
        hook_app, clock, tls_receiver: Receiver, authority: Authority,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca))  # as an operator's CA bundle would
    clock.set(datetime.now(UTC))
    site = _setup(hook_app)
    client = hook_app.test_client()
    endpoint = _endpoint(client, site, tls_receiver.url, ["response.created"])
    _answer(client, site, 9)
    _run(hook_app, _worker(hook_app, clock))

    events = [Webhook(endpoint["secret"]).verify(r.body, r.headers)
              for r in tls_receiver.requests]
    assert [event["type"] for event in events] == ["response.created"]


def test_an_untrusted_certificate_is_refused_and_the_event_waits(
        hook_app, clock, tls_receiver: Receiver, authority: Authority,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the CA the receiver cannot prove who it is: nothing is sent in the clear or
    to an impostor, the attempt is logged with the TLS error, and the event is retried (it
    arrives once the certificate is trusted)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.cert.parent / "none.pem"))
    clock.set(datetime.now(UTC))
    site = _setup(hook_app)
    client = hook_app.test_client()
    endpoint = _endpoint(client, site, tls_receiver.url, ["response.created"])
    _answer(client, site, 9)
    worker = _worker(hook_app, clock)
    _run(hook_app, worker)

    assert tls_receiver.requests == []
    log = client.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=site.auth())
    attempts = log.get_json()["data"]
    assert attempts and all(a["status_code"] is None for a in attempts)
    assert all("CERTIFICATE_VERIFY_FAILED" in a["error"] for a in attempts)

    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca))
    clock.advance(hours=7)  # past the longest wait so far
    _run(hook_app, worker)
    assert len(tls_receiver.requests) == 1
    assert tls_receiver.requests[0].headers["webhook-id"]
