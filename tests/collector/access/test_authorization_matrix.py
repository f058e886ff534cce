"""The authorization matrix: every API operation called by every kind of caller.

The table below is the contract (docs/security.md, "What each key may see"); the test checks
it against the running app, and that it names every operation of the OpenAPI document, so an
endpoint added later must be placed in it. Callers: no key, each role of the site, a revoked
and an expired key, a team key (admin role), and another site's admin key on this site's rows.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from collector.access.keys import create_key, revoke_key
from collector.core.clock import now
from collector.core.extensions import db
from collector.models import (
    FollowupCase,
    HelpdeskIntegration,
    Invitation,
    Job,
    Response,
    WebhookEndpoint,
)
from tests.factories import SiteKeys, make_site, make_survey

P, S, R, A = "publishable", "secret", "read", "admin"
BROWSER, WRITE, READ, ADMIN = (P, S, A), (S, A), (S, R, A), (A,)

# operation -> the roles that may call it
MATRIX: dict[str, tuple[str, ...]] = {
    "GET /v1/keys": ADMIN,
    "POST /v1/keys": ADMIN,
    "POST /v1/keys/{key_id}/revoke": ADMIN,
    "POST /v1/keys/{key_id}/rotate": ADMIN,
    "POST /v1/responses/{response_id}/release": ADMIN,
    "GET /v1/surveys": READ,
    "POST /v1/surveys": WRITE,
    "GET /v1/surveys/{key}": READ,
    "PATCH /v1/surveys/{key}": WRITE,
    "GET /v1/responses": READ,
    "POST /v1/responses": BROWSER,
    "PATCH /v1/responses/{response_id}": BROWSER,
    "GET /v1/exports/responses": READ,
    "GET /v1/metrics/nps": READ,
    "POST /v1/eligibility": BROWSER,
    "POST /v1/declines": BROWSER,
    "GET /v1/decisions": READ,
    "POST /v1/triggers": WRITE,
    "POST /v1/tickets": WRITE,
    "GET /v1/invitations": READ,
    "POST /v1/invitations/{invitation_id}/cancel": WRITE,
    "GET /v1/jobs": WRITE,
    "POST /v1/jobs/{job_id}/replay": ADMIN,
    "GET /v1/webhooks": WRITE,
    "POST /v1/webhooks": WRITE,
    "DELETE /v1/webhooks/{endpoint_id}": WRITE,
    "POST /v1/webhooks/{endpoint_id}/rotate-secret": WRITE,
    "GET /v1/webhooks/{endpoint_id}/deliveries": WRITE,
    "GET /v1/invitations/{invitation_id}/email": WRITE,
    "GET /v1/followups": READ,
    "GET /v1/followups/stats": READ,
    "GET /v1/followups/{case_id}": READ,
    "PATCH /v1/followups/{case_id}": WRITE,
    "POST /v1/followups/{case_id}/notes": WRITE,
    "POST /v1/people": WRITE,
    "POST /v1/people/unsubscribe": WRITE,
    "DELETE /v1/people/{user_id}": WRITE,
    "GET /v1/people/{user_id}/export": WRITE,
    "GET /v1/audit": READ,
    "GET /v1/responses/{response_id}": READ,
    "GET /v1/site": WRITE,
    "PATCH /v1/site": WRITE,
    "POST /v1/site/identity-secret/rotate": ADMIN,
    "GET /v1/integrations": WRITE,
    "POST /v1/integrations": WRITE,
    "DELETE /v1/integrations/{integration_id}": WRITE,
    "POST /v1/integrations/{integration_id}/rotate-secret": WRITE,
    "GET /v1/integrations/{integration_id}/deliveries": WRITE,
}
# Called by help desks, which prove themselves with the vendor's signature or the
# integration's own secret, never with an API key (docs/integrations.md; tested there).
VENDOR_SIGNED = {"POST /v1/integrations/{integration_id}/{vendor}"}
TEAM_SCOPED = {label for label in MATRIX if label.split()[1].startswith("/v1/followups")}
REFUSALS = {"missing_api_key", "invalid_api_key", "wrong_key_role", "team_scope"}


class Matrix:
    """One site with a row of every kind, the keys of every caller, and a second site."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        with app.app_context():
            self.keys: SiteKeys = make_site(db.session, "mine")
            make_survey(db.session, self.keys.site_id)
            make_survey(db.session, self.keys.site_id, "ours-only")
            self.other: SiteKeys = make_site(db.session, "theirs")
            make_survey(db.session, self.other.site_id)
            moment = now()
            _, self.team = create_key(db.session, self.keys.site_id, A, moment, team="billing")
            revoked, self.revoked = create_key(db.session, self.keys.site_id, S, moment)
            revoke_key(db.session, revoked, moment)
            # The key the key operations revoke and rotate: none a caller uses.
            spare, _ = create_key(db.session, self.keys.site_id, R, moment)
            expired, self.expired = create_key(db.session, self.keys.site_id, S, moment)
            expired.expires_at = moment - timedelta(seconds=1)
            db.session.commit()
            spare_id = spare.id
        admin = self.keys.auth(A)
        self.client.post("/v1/webhooks", json={"url": "https://93.184.215.14/hook"},
                         headers=admin)
        self.client.post("/v1/responses", json={"survey": "nps", "score": 2, "user_id": "u-1",
                                                "email": "u1@example.com"}, headers=admin)
        self.client.post("/v1/triggers", json={"survey": "nps", "user_id": "u-2",
                                               "email": "u2@example.com"}, headers=admin)
        with app.app_context():
            site = self.keys.site_id

            def first(model: type, *where: object) -> int:
                found = db.session.scalars(select(model.id).where(*where)).first()
                return int(found) if found is not None else 999_999

            self.ids = {
                "key_id": spare_id,
                "response_id": first(Response, Response.site_id == site),
                "invitation_id": first(Invitation, Invitation.site_id == site),
                "endpoint_id": first(WebhookEndpoint, WebhookEndpoint.site_id == site),
                "case_id": first(FollowupCase, FollowupCase.site_id == site),
                "job_id": first(Job, Job.site_id == site),
                "integration_id": first(HelpdeskIntegration, HelpdeskIntegration.site_id == site),
                "key": "ours-only", "user_id": "u-1",
            }

    def call(self, label: str, token: str | None) -> object:
        method, path = label.split()
        for name, value in self.ids.items():
            path = path.replace("{" + name + "}", str(value))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        send = getattr(self.client, method.lower())
        if method in ("POST", "PATCH"):
            return send(path, json={}, headers=headers)
        return send(path, headers=headers)


@pytest.fixture(params=["sqlite", "postgres"])
def matrix(request: pytest.FixtureRequest, make_app) -> Matrix:
    return Matrix(make_app(request.getfixturevalue(f"{request.param}_url")))


def test_the_matrix_names_every_operation(app: Flask) -> None:
    spec = app.test_client().get("/openapi.json").json
    labels = {f"{method.upper()} {path}" for path, operations in spec["paths"].items()
              for method in operations if method in {"get", "post", "patch", "delete", "put"}}
    assert labels == set(MATRIX) | VENDOR_SIGNED


def _code(reply: object) -> str | None:
    body = reply.get_json(silent=True) or {}  # type: ignore[attr-defined]
    return (body.get("error") or {}).get("code")


def _judge(matrix: Matrix, label: str, caller: str, token: str | None, allowed: bool,
           code: str | None = None) -> str | None:
    """What is wrong with ``caller``'s call of ``label``, or None."""
    reply = matrix.call(label, token)
    status = reply.status_code  # type: ignore[attr-defined]
    got = _code(reply)
    if status >= 500:
        return f"{label} by {caller}: {status}"
    if allowed and got in REFUSALS:
        return f"{label} by {caller}: refused ({status} {got})"
    if not allowed and (got != code if code else got not in REFUSALS):
        return f"{label} by {caller}: {status} {got}, expected {code or 'a refusal'}"
    return None


def test_every_call_by_every_caller(matrix: Matrix) -> None:
    wrong: list[str | None] = []
    for label, roles in MATRIX.items():
        wrong.append(_judge(matrix, label, "no key", None, False, "missing_api_key"))
        wrong.append(_judge(matrix, label, "a revoked key", matrix.revoked, False,
                            "invalid_api_key"))
        wrong.append(_judge(matrix, label, "an expired key", matrix.expired, False,
                            "invalid_api_key"))
        for role in (P, S, R, A):
            wrong.append(_judge(matrix, label, role, getattr(matrix.keys, role), role in roles,
                                None if role in roles else "wrong_key_role"))
        scoped = label in TEAM_SCOPED
        wrong.append(_judge(matrix, label, "a team key", matrix.team, scoped,
                            None if scoped else "team_scope"))
        # Another site's admin key reaches only its own site: this site's rows are not found.
        if "{" in label:
            reply = matrix.call(label, matrix.other.admin)
            if reply.status_code not in (404, 422):  # type: ignore[attr-defined]
                wrong.append(f"{label} by another site: {reply.status_code}")  # type: ignore[attr-defined]
    problems = [entry for entry in wrong if entry]
    assert problems == [], "\n".join(problems)
