"""The console's blueprint: signing in by key, the read/edit split, CSRF, headers, formats.

Signing in posts a read or admin key once through a form; the session (Flask's signed
cookie, HttpOnly, SameSite=Lax) keeps only the key's id, checked on every request. Read keys
see every screen without its forms; admin keys may act. Every POST passes ``guard_post``: the
same-origin check the report's sign-in had (``Origin``, or ``Sec-Fetch-Site`` when a browser
sends no ``Origin``), on top of the SameSite cookie. No JavaScript: charts are server-rendered
SVG, and the strict CSP below allows none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import dates
from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue

from collector.access.keys import find_active_key
from collector.core.clock import now
from collector.core.extensions import db
from collector.languages import catalogs as i18n
from collector.models import ApiKey, Site

bp = Blueprint("console", __name__, url_prefix="/console")
VIEW_ROLES = ("read", "admin")
EDIT_ROLES = ("admin",)
SESSION_KEY = "console_key_id"
NO_VALUE = "\N{EN DASH}"  # shown where there is no figure
CSS = Path(__file__).resolve().parents[2] / "templates" / "console" / "console.css"
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    # "same-origin", not "no-referrer": with no referrer, browsers send "Origin: null" on a
    # form post, and the origin check would refuse it.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
View = Callable[..., ResponseReturnValue]
# What a team key may open in the console.
TEAM_PATHS = ("/console/followups", "/console/sign-out", "/console/console.css")


class ConsoleOnlySessions(SecureCookieSessionInterface):
    """The sign-in cookie is the console's alone; API calls never open it.

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
    # The forms rely on the browser not sending the cookie from other sites.
    if state.app.config.get("SESSION_COOKIE_SAMESITE") is None:
        state.app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    state.app.session_interface = ConsoleOnlySessions()


@bp.after_request
def _headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def signed_in_key() -> ApiKey | None:
    key_id = session.get(SESSION_KEY)
    if not isinstance(key_id, int):
        return None
    key = db.session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None or key.role not in VIEW_ROLES:
        return None
    if key.expires_at is not None and key.expires_at <= now():
        return None
    return key


def guard_post() -> None:
    """Refuse a form posted from another site (CSRF): 403 before anything is read. This
    collector's origin is as the request names it (through trusted proxies' X-Forwarded-Proto
    and -Host, ``TENPOINT_TRUSTED_PROXIES``) or as ``TENPOINT_PUBLIC_URL`` names it."""
    origin = request.headers.get("Origin")
    if origin is not None:
        public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
        ours = {f"{request.scheme}://{request.host}",
                f"{public.scheme}://{public.netloc}" if public.netloc else ""}
        if origin.rstrip("/").lower() not in {o.lower() for o in ours if o}:
            abort(403)
    elif request.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
        abort(403)


def viewer(view: View) -> View:
    """Signed in with a read or admin key, else to the sign-in form; POSTs pass
    ``guard_post`` and need an admin key (a read key's form post is refused with 403)."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if request.method == "POST":
            guard_post()
        key = signed_in_key()
        if key is None:
            return redirect(url_for("console.sign_in"), code=303)
        g.console_key = key
        g.console_site = db.session.get(Site, key.site_id)
        if request.method == "POST" and key.role not in EDIT_ROLES:
            return render_template("console/refused.html"), 403
        # A team key reaches its team's follow-up cases only, as in the API: the other
        # screens have no team to filter by (docs/security.md, "Team keys").
        if key.team is not None and not request.path.startswith(TEAM_PATHS):
            return redirect(url_for("console.followups"), code=303)
        return view(*args, **kwargs)
    return wrapper


def actor() -> str:
    return f"key:{g.console_key.id}"


def can_edit() -> bool:
    key = getattr(g, "console_key", None)
    return key is not None and key.role in EDIT_ROLES


def viewer_locale() -> str:
    asked = request.args.get("locale")
    candidates = i18n.locale_candidates(asked, None, request.headers.get("Accept-Language"),
                                        "en")
    return candidates[0] if candidates else "en"


@bp.app_template_global("console_link")
def console_link(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, **{k: v for k, v in values.items() if v not in (None, "")})


@bp.context_processor
def _formats() -> dict[str, Any]:
    locale = viewer_locale()

    def number(value: float | None, digits: int = 0) -> str:
        if value is None:
            return NO_VALUE
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return i18n.format_decimal(value, locale, format=pattern)

    def percent(value: float | None) -> str:
        return NO_VALUE if value is None else i18n.format_percent(value, locale)

    def day(value: Any) -> str:
        if value is None:
            return NO_VALUE
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            value = value.date()
        return i18n.format_date(value, locale)

    def short_day(value: date) -> str:
        return dates.format_skeleton("MMMd", value, locale=i18n.babel_locale(locale))

    def moment(value: datetime | None) -> str:
        if value is None:
            return NO_VALUE
        return f"{day(value)} {value.strftime('%H:%M')} UTC"

    def interval(summary: dict[str, Any]) -> str:
        """No interval without answers (the adjusted interval of nothing is -80 to 80)."""
        if not summary.get("n"):
            return NO_VALUE
        return f"{number(summary['interval']['low'])} to {number(summary['interval']['high'])}"

    return {"number": number, "percent": percent, "day": day, "moment": moment,
            "interval": interval, "locale": locale, "short_day": short_day, "can_edit": can_edit(),
            "site": getattr(g, "console_site", None)}


@bp.get("/console.css")
def stylesheet() -> ResponseReturnValue:
    """The console's only stylesheet (screen and print)."""
    return Response(CSS.read_text(encoding="utf-8"), mimetype="text/css")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """A form that takes a read or admin key once and keeps only its id in the session."""
    error = None
    if request.method == "POST":
        guard_post()
        raw = (request.form.get("key") or "").strip()
        key = find_active_key(db.session, raw, now()) if raw else None
        if key is not None and key.role in VIEW_ROLES:
            session.clear()
            session[SESSION_KEY] = key.id
            return redirect(url_for("console.overview"), code=303)
        error = "This is not an active read or admin key."
    status = 401 if error else 200
    return render_template("console/sign_in.html", error=error), status


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """Forget the signed-in key."""
    guard_post()
    session.pop(SESSION_KEY, None)
    return redirect(url_for("console.sign_in"), code=303)
