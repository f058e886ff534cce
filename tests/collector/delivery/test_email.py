"""Survey emails through a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import email
import email.policy
import re
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from collector.core.extensions import db
from collector.eligibility.invitation_emails import (
    MailSettings,
    build_message,
    render_invitation_email,
    send_invitation_email,
    smtp_send,
)
from collector.models import Invitation, Person
from tests.collector.hosted.conftest import make_invitation


class LoopbackController(Controller):
    """aiosmtpd on port 0: learn the port the kernel picked before the readiness probe."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Mailbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = LoopbackController(box, hostname="127.0.0.1", port=0)
    controller.start()
    yield box, controller.port
    controller.stop()


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _send_to_dana(app, site_id: int, port: int) -> Any:
    """A pending invitation of ``site_id`` for Dana, sent through the test SMTP server."""
    invited = make_invitation(app, site_id, email="dana@example.com", status="pending")
    settings = MailSettings(public_url="https://nps.example.com",
                            secret_key=app.config["SECRET_KEY"],
                            mail_from="Example <nps@example.com>",
                            smtp_url=f"smtp://127.0.0.1:{port}")
    with app.app_context():
        invitation = db.session.get(Invitation, invited.invitation_id)
        assert send_invitation_email(db.session, invitation, invitation.send_at, settings)
        db.session.commit()
    return invited


def test_the_worker_sends_the_invitation_over_smtp(app, site, survey, smtp) -> None:
    box, port = smtp
    invited = _send_to_dana(app, site.site_id, port)
    [message] = box.messages
    assert message["To"] == "dana@example.com"
    assert message["From"] == "Example <nps@example.com>"
    assert message["Subject"].startswith("How likely are you to recommend Example")
    unsubscribe = re.fullmatch(r"<(https://nps\.example\.com/u/\S+)>",
                               str(message["List-Unsubscribe"]).strip())
    assert unsubscribe, message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    links = re.findall(r'href="(https://nps\.example\.com/s/[^"?]+\?score=(\d+))"', html)
    assert [int(score) for _, score in links] == list(range(11))
    for url, _ in links:
        assert url in text
    assert "Not at all likely" in text and "Extremely likely" in html
    # The link in the email is the one that works: GET shows the page, records nothing.
    token = links[0][0].split("/s/")[1].split("?")[0]
    client = app.test_client()
    page = client.get(f"/s/{token}?score=7")
    assert page.status_code == 200 and 'value="7" checked' in page.get_data(as_text=True)
    assert client.get("/v1/responses", headers=site.auth("read")).json["data"] == []
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's URL.
    one_click = client.post(unsubscribe.group(1).replace("https://nps.example.com", ""),
                            data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    with app.app_context():
        assert db.session.get(Person, invited.person_id).unsubscribed_at is not None


def test_the_email_is_localised_and_right_to_left(app, site) -> None:
    rendered = render_invitation_email(
        texts={"question": "ما مدى احتمال أن توصي بنا؟"}, locale="ar", site_name="Acme",
        survey_url="https://c.example/s/tok", unsubscribe_url="https://c.example/u/x")
    assert 'lang="ar" dir="rtl"' in rendered.html
    assert rendered.subject == "ما مدى احتمال أن توصي بنا؟"
    from collector.languages.catalogs import translations_for

    unsubscribe = translations_for("ar").gettext("Unsubscribe")
    assert unsubscribe in rendered.html and unsubscribe in rendered.text
    assert rendered.headers["Content-Language"] == "ar"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_starttls_and_login_when_the_server_offers_them(tmp_path) -> None:
    cert, key = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    box, seen = Mailbox(), []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        seen.append((auth_data.login, auth_data.password, session.ssl is not None))
        return AuthResult(success=auth_data.password == b"p@ss word")

    controller = LoopbackController(box, hostname="127.0.0.1", port=0, tls_context=server_tls,
                                    require_starttls=True, authenticator=authenticator,
                                    auth_require_tls=True)
    controller.start()
    try:
        rendered = render_invitation_email(
            texts={"question": "How likely?"}, locale="en", site_name="Acme",
            survey_url="https://c.example/s/tok", unsubscribe_url="https://c.example/u/x")
        message = build_message(rendered, to="dana@example.com", mail_from="nps@acme.test",
                                now=datetime.now(UTC))
        client_tls = ssl.create_default_context(cafile=str(cert))
        smtp_send(f"smtp://mailer:p%40ss%20word@127.0.0.1:{controller.port}", message,
                  context=client_tls)
    finally:
        controller.stop()
    assert seen == [(b"mailer", b"p@ss word", True)]
    assert box.messages[0]["Subject"] == "How likely?"


def test_no_smtp_url_means_nothing_is_sent(app, site, survey) -> None:
    invited = make_invitation(app, site.site_id, status="pending")
    settings = MailSettings(public_url="https://x", secret_key="k", mail_from="a@b.c",
                            smtp_url=None)
    with app.app_context():
        invitation = db.session.get(Invitation, invited.invitation_id)
        before = invitation.token_hash
        assert send_invitation_email(db.session, invitation, invitation.send_at,
                                     settings) is False
        assert invitation.token_hash == before


def test_the_api_returns_the_rendered_email_for_your_own_provider(app, client, site,
                                                                   survey) -> None:
    invited = make_invitation(app, site.site_id, email="lee@example.com", status="pending")
    got = client.get(f"/v1/invitations/{invited.invitation_id}/email",
                     headers=site.auth("secret"))
    assert got.status_code == 200
    body = got.json
    assert body["to"] == "lee@example.com"
    assert body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://collector\.test(/s/[^?\"]+)\?score=3", body["html"]).group(1)
    assert client.get(link).status_code == 200
    refused = client.get(f"/v1/invitations/{invited.invitation_id}/email",
                         headers=site.auth("publishable"))
    assert refused.status_code == 403
    assert client.get("/v1/invitations/999999/email",
                      headers=site.auth("secret")).status_code == 404


def test_fetching_the_email_keeps_the_link_the_trigger_returned(app, client, site,
                                                                survey) -> None:
    triggered = client.post("/v1/triggers", headers=site.auth("secret"),
                            json={"survey": survey, "email": "kim@example.com",
                                  "channel": "email"}).json
    url = triggered["invitation"]["url"]
    first, second = (client.get(f"/v1/invitations/{triggered['invitation']['id']}/email",
                                headers=site.auth("secret")).json["html"] for _ in range(2))
    assert f"{url}?score=3" in first and f"{url}?score=3" in second
    assert client.get(urlsplit(url).path).status_code == 200


@pytest.mark.parametrize("question", [
    "How likely are you\nto recommend us?",
    "How likely are you\r\nBcc: victim@example.com\r\nto recommend us?",
    "How likely\u2028are you\tto recommend us?",
])
def test_a_line_break_in_the_question_cannot_break_or_inject_a_header(app, smtp,
                                                                       question) -> None:
    from tests.factories import TEXTS_EN, make_site, make_survey

    box, port = smtp
    with app.app_context():
        site = make_site(db.session, "multi")
        make_survey(db.session, site.site_id, texts={"en": {**TEXTS_EN, "question": question}})
    _send_to_dana(app, site.site_id, port)
    [message] = box.messages
    assert message["Bcc"] is None
    subject = str(message["Subject"])
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("How likely") and subject.endswith("to recommend us?")
