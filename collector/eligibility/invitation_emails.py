"""Survey emails: render (localised HTML and plain text, eleven score links) and send by SMTP.

Each score links to the hosted page with that score preselected (``/s/<token>?score=N``);
opening it records nothing, so mail scanners that follow every link cannot answer for the
person. Sending issues a fresh link token (only its hash is stored); the email is the one
place the raw token ever lives. ``List-Unsubscribe`` with RFC 8058 one-click points at a
signed ``/u/<token>`` URL that keeps working after the survey link expires.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from collector.eligibility.invitation_links import issue_token
from collector.languages.catalogs import (
    RESPONDENT_STRINGS,
    interface_strings,
    locale_candidates,
    translations_for,
)
from collector.languages.survey_texts import choose_survey_locale, survey_texts, text_direction
from collector.models import Invitation, Person, Site, Survey
from collector.people.unsubscribe import unsubscribe_token

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SMTP_TIMEOUT = 30


class EmailNotSendable(Exception):
    """This invitation cannot be emailed (no address, person unsubscribed or erased)."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MailSettings:
    """What sending needs from the configuration, handed in by the caller."""

    public_url: str
    secret_key: str
    mail_from: str
    smtp_url: str | None


@cache
def _environment() -> Environment:
    # Plain Jinja (no Flask): the worker renders emails outside any request.
    return Environment(loader=FileSystemLoader(TEMPLATES), trim_blocks=False,
                       autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


def _on_brand(hex_colour: str) -> str:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"


def render_invitation_email(
    *, texts: dict[str, Any], locale: str, site_name: str, survey_url: str,
    unsubscribe_url: str, person_name: str | None = None,
    appearance: dict[str, Any] | None = None,
) -> RenderedEmail:
    """The email in one locale: subject, HTML, plain text and the list headers."""
    translations = translations_for(locale)
    say = translations.gettext
    strings = interface_strings(locale)
    brand = (appearance or {}).get("brand_color") or "#4338ca"
    greeting = (say(RESPONDENT_STRINGS["greeting_name"]) % {"name": person_name}
                if person_name else say(RESPONDENT_STRINGS["greeting"]))
    context = {
        "_": say, "lang": locale, "dir": text_direction(locale), "subject": texts["question"],
        "question": texts["question"], "greeting": greeting,
        "links": [f"{survey_url}?score={n}" for n in range(11)],
        "low_label": texts.get("low_label") or strings["low_label"],
        "high_label": texts.get("high_label") or strings["high_label"],
        "reason": say(RESPONDENT_STRINGS["email_reason"]) % {"brand": site_name},
        "private": say(RESPONDENT_STRINGS["email_private"]) % {"brand": site_name},
        "unsubscribe_url": unsubscribe_url, "brand": brand, "on_brand": _on_brand(brand),
    }
    env = _environment()
    return RenderedEmail(
        subject=header_text(texts["question"]),
        html=env.get_template("email/invitation.html").render(context),
        text=env.get_template("email/invitation.txt").render(context),
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Content-Language": locale},
    )


def invitation_email(session: Session, invitation: Invitation, now: datetime,
                     settings: MailSettings) -> tuple[RenderedEmail, Person]:
    """Render this invitation's email with its one link (the same however often rendered)."""
    survey = session.get(Survey, invitation.survey_id)
    person = session.get(Person, invitation.person_id)
    site = session.get(Site, invitation.site_id)
    assert survey is not None and person is not None and site is not None
    if not person.email or person.erased_at is not None:
        raise EmailNotSendable("this person has no email address")
    assert survey.current_version is not None
    config = survey.current_version.config
    candidates = locale_candidates(invitation.locale, person.locale, None, site.default_locale)
    locale = choose_survey_locale(config, candidates) or next(iter(config["texts"]))
    token = issue_token(session, invitation, now, secret=settings.secret_key)
    base = settings.public_url.rstrip("/")
    rendered = render_invitation_email(
        texts=survey_texts(config, locale), locale=locale, site_name=site.name,
        survey_url=f"{base}/s/{token}",
        unsubscribe_url=f"{base}/u/{unsubscribe_token(settings.secret_key, person.id)}",
        person_name=person.name, appearance=config.get("appearance"))
    return rendered, person


def header_text(text: str) -> str:
    """One header line: a question written over several lines (any line break, tab or
    Unicode separator) becomes one line of single spaces, so it can neither break the
    message nor add a header (``build_message`` refused it: every send failed)."""
    return " ".join(text.split())


def build_message(rendered: RenderedEmail, *, to: str, mail_from: str,
                  now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = header_text(rendered.subject)
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = format_datetime(now)
    domain = parseaddr(mail_from)[1].partition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in rendered.headers.items():
        message[name] = value
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def smtp_send(smtp_url: str, message: EmailMessage, *,
              context: ssl.SSLContext | None = None) -> None:
    """``smtp://user:pass@host:port`` (STARTTLS whenever the server offers it) or
    ``smtps://…`` (TLS from the first byte). Certificates are verified (``context``: the
    system's trust store unless given)."""
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("TENPOINT_SMTP_URL must look like smtp://host:port or smtps://host")
    context = context or ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT,
                                  context=context)
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 587, timeout=SMTP_TIMEOUT)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def current_settings() -> MailSettings:
    from flask import current_app

    config = current_app.config
    return MailSettings(public_url=config["PUBLIC_URL"], secret_key=config["SECRET_KEY"],
                        mail_from=config["MAIL_FROM"], smtp_url=config.get("SMTP_URL"))


def send_invitation_email(session: Session, invitation: Invitation, now: datetime,
                          settings: MailSettings | None = None) -> bool:
    """Send the invitation by SMTP (the ``invitation.due`` job calls this at ``send_at``).

    Returns ``False`` without touching the invitation when no SMTP server is configured:
    the email can then be fetched with ``GET /v1/invitations/{id}/email``."""
    settings = settings or current_settings()
    if not settings.smtp_url:
        log.info("invitation %s: TENPOINT_SMTP_URL is unset, email not sent", invitation.id)
        return False
    rendered, person = invitation_email(session, invitation, now, settings)
    if person.unsubscribed_at is not None:
        raise EmailNotSendable("this person unsubscribed")
    assert person.email is not None
    smtp_send(settings.smtp_url, build_message(rendered, to=person.email,
                                               mail_from=settings.mail_from, now=now))
    log.info("invitation %s: email sent", invitation.id)
    return True
