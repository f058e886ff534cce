"""Hosted survey pages: ``/s/<token>`` (email and link invitations) and unsubscribe links.

Server-rendered and complete without JavaScript (plain forms, a signed per-page CSRF token);
a small external script (nonce CSP, no inline script) submits on click and confirms an email's
preselected score once the page is really visible. A GET never records an answer.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeTimedSerializer

from collector.analytics.statistics import category_of
from collector.core.clock import now
from collector.core.extensions import db
from collector.hosted.links import (
    PageLanguage,
    Visit,
    answer,
    interface_language,
    page_language,
    visit,
)
from collector.languages.catalogs import (
    RESPONDENT_STRINGS,
    interface_strings,
    locale_candidates,
    translations_for,
)
from collector.languages.survey_texts import text_direction
from collector.models import Response as ResponseRow
from collector.models import Site
from collector.people.unsubscribe import person_for_unsubscribe, unsubscribe
from collector.protection.display_tokens import visitor_of
from collector.protection.fingerprints import caller_fingerprint
from collector.protection.verdicts import Display
from collector.protection.views.screening import (
    challenge,
    display_token,
    displayed,
    judge,
    proof_required,
    verdicts_enabled,
)
from collector.responses.edits import update_response

bp = Blueprint("hosted", __name__, static_folder="../static/hosted",
               static_url_path="/s/static")

SCORE_FORM_AGE = 24 * 3600
FOLLOW_UP_FORM_AGE = 3600
MESSAGES = {  # state -> (RESPONDENT_STRINGS key, HTTP status)
    "invalid": ("link_invalid", 404),
    "expired": ("link_expired", 410),
    "answered": ("already_answered", 200),
}


def _forms(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"hosted-{salt}")


def _signed(salt: str, max_age: int) -> dict[str, Any] | None:
    try:
        data = _forms(salt).loads(request.form.get("csrf", ""), max_age=max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


@bp.before_request
def _nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


@bp.after_request
def _security_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    # The URL carries the token: never hand it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "hosted.static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _on_brand(hex_colour: str) -> str:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#fff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000"


def _page(template: str, lang: PageLanguage, found: Visit | None, status: int = 200,
          **context: Any) -> ResponseReturnValue:
    translations = translations_for(lang.locale)
    site_name = found.site.name if found and found.site else "Tenpoint"
    appearance: dict[str, Any] = {}
    if found and found.survey and found.survey.current_version:
        appearance = found.survey.current_version.config.get("appearance") or {}
    brand = appearance.get("brand_color")
    html = render_template(
        template, _=translations.gettext, lang=lang, nonce=g.csp_nonce, site_name=site_name,
        strings=interface_strings(lang.locale), brand_color=brand,
        on_brand=_on_brand(brand) if brand else None, **context)
    return html, status


def _say(lang: PageLanguage, found: Visit | None, key: str) -> str:
    """One of the ready-translated respondent strings, with the site's name filled in."""
    site_name = found.site.name if found and found.site else "Tenpoint"
    return translations_for(lang.locale).gettext(RESPONDENT_STRINGS[key]) % {"brand": site_name}


def _message(state: str, found: Visit, lang: PageLanguage | None = None) -> ResponseReturnValue:
    key, status = MESSAGES[state]
    lang = lang or page_language(found, request.headers.get("Accept-Language"), with_texts=False)
    return _page("hosted/message.html", lang, found, status, message=_say(lang, found, key))


def _score_page(token: str, found: Visit, lang: PageLanguage, *, preselected: int | None,
                error: bool = False) -> ResponseReturnValue:
    assert found.invitation is not None and found.survey is not None
    # ``p``: the score chosen in the email, where the person read the question.
    csrf = _forms("score").dumps({"i": found.invitation.id, "p": preselected})
    moment = now()
    # Proof of work, when the survey asks for it: the page's script solves it; without
    # JavaScript the form still posts, and the answer is kept for review.
    proof = proof_required(found.survey, moment)
    display = display_token(found.survey, visitor_of(invitation_id=found.invitation.id),
                            moment, proof=proof)
    return _page("hosted/question.html", lang, found, 422 if error else 200, token=token,
                 texts=lang.texts, csrf=csrf, display=display, preselected=preselected,
                 work=challenge(display) if proof else None, error=error)


def _score_arg(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and 0 <= int(raw) <= 10 else None


@bp.get("/s/<token>")
def survey_page(token: str) -> ResponseReturnValue:
    """The survey behind a link. ``?score=N`` (from an email) preselects N; a GET never
    records it: the page's script or its visible Send button posts it."""
    found = visit(db.session, token, now())
    if found.state != "open":
        return _message(found.state, found)
    lang = page_language(found, request.headers.get("Accept-Language"))
    return _score_page(token, found, lang, preselected=_score_arg(request.args.get("score")))


@bp.post("/s/<token>")
def survey_answer(token: str) -> ResponseReturnValue:
    """Record the score (single use), then ask the follow-up question."""
    moment = now()
    found = visit(db.session, token, moment)
    if found.state != "open":
        return _message(found.state, found)
    lang = page_language(found, request.headers.get("Accept-Language"))
    assert found.invitation is not None
    signed = _signed("score", SCORE_FORM_AGE)
    if signed is None or signed.get("i") != found.invitation.id:
        return _score_page(token, found, lang, preselected=None, error=True)
    score = _score_arg(request.form.get("score"))
    if score is None:
        return _score_page(token, found, lang, preselected=None, error=True)
    # Same screening as the API: the link identifies the person, so no fingerprint history,
    # but user agents (mail scanners, headless browsers), the honeypot and the page's
    # display token still count. A score confirmed as chosen in the email was read there:
    # the page's own time does not apply to it.
    assert found.survey is not None
    verdict = judge(found.survey, caller_fingerprint(),
                    {"honeypot": request.form.get("website", "")}, browser=True,
                    identity_verified=True, now=moment,
                    display=_page_display(found, score == signed.get("p"), moment))
    response = answer(db.session, found, score, lang.locale, moment, verdict=verdict)
    if response is None:
        db.session.rollback()
        return _message("answered", found)
    db.session.commit()
    csrf = _forms("more").dumps({"r": response.id, "i": found.invitation.id})
    category = category_of(score)
    return _page("hosted/more.html", lang, found, token=token, texts=lang.texts, csrf=csrf,
                 follow_up=(lang.texts.get("follow_up") or {}).get(category))


def _page_display(found: Visit, read_in_email: bool, moment: datetime) -> Display | None:
    """What the form's display token proves (``None`` when verdicts are off)."""
    assert found.survey is not None and found.invitation is not None
    if not verdicts_enabled():
        return None
    shown = displayed(found.survey, request.form.get("display"),
                      visitor_of(invitation_id=found.invitation.id), now=moment,
                      proof=request.form.get("proof"))
    return replace(shown, age_ms=None) if read_in_email else shown


@bp.post("/s/<token>/more")
def survey_more(token: str) -> ResponseReturnValue:
    """The comment and second answer (both optional), then the thank-you."""
    moment = now()
    found = visit(db.session, token, moment)
    lang = page_language(found, request.headers.get("Accept-Language"))
    signed = _signed("more", FOLLOW_UP_FORM_AGE)
    response = db.session.get(ResponseRow, signed["r"]) if signed else None
    if response is None or found.invitation is None or signed is None \
            or signed.get("i") != found.invitation.id:
        return _message("invalid", found, lang)
    comment = request.form.get("comment", "").strip()[:5000]
    second = request.form.get("second", "").strip()[:5000]
    if not request.form.get("skip") and (comment or second):
        update_response(db.session, response, comment=comment or None,
                        answers={"second": second} if second else None, now=moment)
        db.session.commit()
    texts = lang.texts
    promoter = response.category == "promoter" and texts.get("promoter_link_url")
    thanks = (texts.get("thank_you") or {}).get(response.category) \
        or interface_strings(lang.locale)["thank_you"]
    return _page("hosted/message.html", lang, found, status_message=True, message=thanks,
                 link_url=texts.get("promoter_link_url") if promoter else None,
                 link_label=texts.get("promoter_link_label") or texts.get("promoter_link_url"))


def _unsubscribe_language(person: Any) -> PageLanguage:
    candidates = locale_candidates(person.locale if person else None, None,
                                   request.headers.get("Accept-Language"), "en")
    first = interface_language(candidates)
    return PageLanguage(first, text_direction(first), {})


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str) -> ResponseReturnValue:
    """GET asks for confirmation (mail scanners follow links); POST unsubscribes. Mail
    clients' RFC 8058 one-click POST (``List-Unsubscribe=One-Click``) lands here too."""
    person = person_for_unsubscribe(db.session, current_app.config["SECRET_KEY"], token)
    lang = _unsubscribe_language(person)
    if person is None:
        return _message("invalid", Visit("invalid"), lang)
    site = db.session.get(Site, person.site_id)
    found = Visit("open", site=site, person=person)
    if request.method == "POST":
        unsubscribe(person, now())
        db.session.commit()
        return _page("hosted/message.html", lang, found, status_message=True,
                     message=_say(lang, found, "unsubscribed"))
    return _page("hosted/message.html", lang, found,
                 message=_say(lang, found, "unsubscribe_confirm"),
                 confirm_action=url_for("hosted.unsubscribe_page", token=token))
