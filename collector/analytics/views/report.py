"""/report: the NPS report for people, signed in with a read or admin key.

Signing in posts the key once through a form; the page keeps only the key's id in Flask's
signed session cookie (HttpOnly, SameSite=Lax) and checks on every request that the key is
still active. No key ever travels in a URL. No JavaScript: the chart is server-rendered SVG.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from collector.access.keys import find_active_key
from collector.analytics.report_figures import CHART_HEIGHT, CHART_PAD, CHART_WIDTH, build_report
from collector.core.clock import now
from collector.core.extensions import db
from collector.languages import catalogs as i18n
from collector.models import ApiKey, Site
from collector.surveys.definitions import find_survey

bp = Blueprint("report", __name__, url_prefix="/report")
REPORT_ROLES = ("read", "admin")
SESSION_KEY = "report_key_id"
NO_VALUE = "\N{EN DASH}"  # shown where there is no figure
CSS = Path(__file__).resolve().parents[2] / "templates" / "report" / "report.css"
DAY_CHOICES = (30, 90, 180, 365)
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    # "same-origin", not "no-referrer": with no referrer, browsers send "Origin: null" on the
    # sign-in form post, and the origin check would refuse it.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class ReportOnlySessions(SecureCookieSessionInterface):
    """The sign-in cookie is the report pages' alone; API calls never open it.

    Flask opens the cookie session on every request, building a signing serializer each
    time: 4 % of a widget page view's CPU (py-spy), for a session nothing under /v1/ reads.
    """

    API_PREFIXES = ("/v1/", "/delighted/")

    def get_cookie_secure(self, app: Flask) -> bool:
        """``Secure`` whenever the page is served over HTTPS (directly, or behind a trusted
        TLS-terminating proxy), even if ``SESSION_COOKIE_SECURE`` is not set."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.API_PREFIXES):
            return self.make_null_session(app)
        return super().open_session(app, request)


@bp.record_once
def _cookie_defaults(state: Any) -> None:
    # The sign-out form relies on the browser not sending the cookie from other sites.
    if state.app.config.get("SESSION_COOKIE_SAMESITE") is None:
        state.app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    state.app.session_interface = ReportOnlySessions()


@bp.after_request
def _headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _viewer_locale() -> str:
    asked = request.args.get("locale")
    candidates = i18n.locale_candidates(asked, None, request.headers.get("Accept-Language"),
                                        "en")
    return candidates[0] if candidates else "en"


def _signed_in_key() -> ApiKey | None:
    key_id = session.get(SESSION_KEY)
    if not isinstance(key_id, int):
        return None
    key = db.session.get(ApiKey, key_id)
    moment = now()
    if key is None or key.revoked_at is not None or key.role not in REPORT_ROLES \
            or key.team is not None:
        return None
    if key.expires_at is not None and key.expires_at <= moment:
        return None
    return key


def _same_origin_post() -> None:
    """A form post must come from a page of this collector: as the request names it (through
    trusted proxies' X-Forwarded-Proto and -Host, ``TENPOINT_TRUSTED_PROXIES``) or as
    ``TENPOINT_PUBLIC_URL`` names it."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    ours = {f"{request.scheme}://{request.host}",
            f"{public.scheme}://{public.netloc}" if public.netloc else ""}
    if origin.rstrip("/").lower() not in {o.lower() for o in ours if o}:
        abort(403)


@bp.get("/report.css")
def stylesheet() -> ResponseReturnValue:
    """The report's only stylesheet (screen and print)."""
    return Response(CSS.read_text(encoding="utf-8"), mimetype="text/css")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """A form that takes a read or admin key once and keeps only its id in the session."""
    error = None
    if request.method == "POST":
        _same_origin_post()
        raw = (request.form.get("key") or "").strip()
        key = find_active_key(db.session, raw, now()) if raw else None
        if key is not None and key.role in REPORT_ROLES and key.team is None:
            session.clear()
            session[SESSION_KEY] = key.id
            return redirect(url_for("report.report"), code=303)
        error = "This is not an active read or admin key (of no team)."
    status = 401 if error else 200
    return render_template("report/sign_in.html", error=error), status


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """Forget the signed-in key."""
    _same_origin_post()
    session.pop(SESSION_KEY, None)
    return redirect(url_for("report.sign_in"), code=303)


@bp.get("")
def report() -> ResponseReturnValue:
    """The report: NPS with its interval, trend, distribution, touchpoints and comments."""
    key = _signed_in_key()
    if key is None:
        return redirect(url_for("report.sign_in"), code=303)
    locale = _viewer_locale()
    days = request.args.get("days", type=int) or 90
    days = days if days in DAY_CHOICES else 90
    survey = None
    if request.args.get("survey"):
        survey = find_survey(db.session, key.site_id, request.args["survey"])
    site = db.session.scalars(select(Site).where(Site.id == key.site_id)).one()
    data = build_report(db.session, key.site_id, survey=survey, days=days, now=now())

    def number(value: float | None, digits: int = 0) -> str:
        if value is None:
            return NO_VALUE
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return i18n.format_decimal(value, locale, format=pattern)

    def percent(value: float | None) -> str:
        return NO_VALUE if value is None else i18n.format_percent(value, locale)

    def day(value: Any) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return i18n.format_date(value, locale)

    return render_template(
        "report/report.html", data=data, site=site, days=days, day_choices=DAY_CHOICES,
        number=number, percent=percent, day=day, locale=locale, width=CHART_WIDTH,
        height=CHART_HEIGHT, pad=CHART_PAD)
