"""Delighted-compatible API under ``/delighted/v1``: point a Delighted client here and it works.

HTTP Basic with a secret key as the user name (as Delighted's clients send it). Paths work with
and without ``.json``. Errors are Delighted's ``{"status", "message", "errors"?}``; 429 carries
``Retry-After``. The survey used is described in docs/migrating-from-delighted.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import select

from collector.access.auth import WRITE, require_key
from collector.analytics.metrics import COUNTED_VERDICTS, nps_counts
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.json_bodies import BodyRefused, load_json_body
from collector.delighted.vocabulary import (
    DelightedError,
    find_by_identifier,
    from_unix,
    integer,
    invalid,
    metrics_json,
    person_dates,
    person_json,
    response_json,
    survey_for,
    truthy,
    unix,
)
from collector.eligibility.facts import Who
from collector.eligibility.invitations import cancel
from collector.eligibility.triggers import TriggerRequest, trigger
from collector.languages.catalogs import parse_language_list
from collector.models import Invitation, Person, Site
from collector.models import Response as ResponseModel
from collector.people.lookup import upsert_person
from collector.people.privacy import erase_person, unsubscribe_person
from collector.responses.recording import NewResponse, record_response

bp = Blueprint("delighted", __name__, url_prefix="/delighted/v1")


@bp.errorhandler(DelightedError)
def _delighted_error(error: DelightedError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


# Delighted answers 401 to any key that may not do this; its clients send the key as the
# HTTP Basic user name, so that is what the message asks for.
_AUTH_ERRORS = {
    "missing_api_key": "Send your Tenpoint secret key as the HTTP Basic user name "
                       "(Authorization: Basic base64(<key>:)), as Delighted's clients do.",
    "wrong_key_role": "This key cannot use the Delighted-compatible API; use a secret key.",
}


@bp.errorhandler(APIError)
def _api_error(error: APIError) -> Response:
    errors = [{"field": error.field, "code": error.code}] if error.field else None
    status, message = error.status, error.message
    if error.code in _AUTH_ERRORS:
        status, message = 401, _AUTH_ERRORS[error.code]
    return _delighted_error(DelightedError(status, message, errors, error.headers))


def _route(path: str, **options: Any) -> Any:
    """Delighted's clients call both ``people`` and ``people.json``."""
    def register(view: Any) -> Any:
        bp.add_url_rule(path, view_func=view, **options)
        bp.add_url_rule(path + ".json", view_func=view, endpoint=view.__name__ + "_json",
                        **options)
        return view
    return register


def _params() -> dict[str, Any]:
    if request.method == "GET":
        return request.args.to_dict()
    if request.is_json:
        # Strictly decoded like every JSON body (collector/core/json_bodies.py).
        try:
            body = load_json_body(request.get_data(cache=True))
        except BodyRefused as refused:
            raise APIError(refused.status, refused.code, refused.message,
                           field=refused.field) from refused
        if isinstance(body, dict):
            return body
    form: dict[str, Any] = {}
    for key, value in request.form.items():  # ``properties[locale]=fr`` style forms
        name, _, sub = key.partition("[")
        if sub.endswith("]") and sub[:-1]:
            form.setdefault(name, {})[sub[:-1]] = value
        else:
            form[key] = value
    return form


def _site() -> Site:
    site = db.session.get(Site, g.key.site_id)
    assert site is not None
    return site


@_route("/people", methods=["POST"])
@require_key(*WRITE)
@write_endpoint("delighted.people")
def create_person() -> Any:
    """Create or update a person and schedule their survey email (``delay`` seconds later;
    ``send=false`` only stores the person)."""
    params, moment = _params(), now()
    email = params.get("email")
    if not email:
        raise invalid("email", "required" if not params.get("phone_number") else "sms")
    properties = params.get("properties") or {}
    if not isinstance(properties, dict):
        raise invalid("properties")
    properties = {str(k): v for k, v in properties.items()}
    locale = properties.pop("locale", None)
    site = _site()
    person = upsert_person(db.session, site.id, moment, email=str(email),
                           name=params.get("name"), locale=locale, properties=properties)
    assert person is not None
    scheduled = None
    if truthy(params.get("send")):
        delay = integer(params.get("delay"), "delay", 0, 0, 60 * 60 * 24 * 365)
        answer = trigger(db.session, site, survey_for(db.session, site),
                         TriggerRequest(who=Who(email=person.email, properties=properties),
                                        channel="email", name=params.get("name"),
                                        locale=locale, delay=timedelta(seconds=delay)),
                         moment, secret=current_app.config["SECRET_KEY"])
        if answer.invitation is not None:
            scheduled = answer.invitation.send_at
    db.session.flush()
    dates = person_dates(db.session, {person.id})[person.id]
    return jsonify(person_json(person, scheduled, dates)), 201


@_route("/people", methods=["GET"])
@require_key(*WRITE)
def list_people() -> Any:
    """People, oldest first; the ``Link`` header's ``next`` URL gives the next page."""
    per_page = integer(request.args.get("per_page"), "per_page", 20, 1, 100)
    after = integer(request.args.get("page_info"), "page_info", 0, 0, 2**62)
    query = select(Person).where(Person.site_id == g.key.site_id, Person.id > after,
                                 Person.erased_at.is_(None))
    if (since := from_unix(request.args.get("since"), "since")) is not None:
        query = query.where(Person.first_seen_at >= since)
    if (until := from_unix(request.args.get("until"), "until")) is not None:
        query = query.where(Person.first_seen_at <= until)
    people = list(db.session.scalars(query.order_by(Person.id).limit(per_page + 1)))
    dates = person_dates(db.session, {p.id for p in people[:per_page]})
    response = jsonify([person_json(p, dates=dates[p.id]) for p in people[:per_page]])
    if len(people) > per_page:
        args = {**request.args.to_dict(), "page_info": people[per_page - 1].id,
                "per_page": per_page}
        response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    return response


@_route("/people/<path:identifier>", methods=["DELETE"])
@require_key(*WRITE)
@write_endpoint("delighted.people.delete")
def delete_person(identifier: str) -> Any:
    """Erase a person (``id``, or ``email:…``) with everything Tenpoint holds about them."""
    person = find_by_identifier(db.session, g.key.site_id, identifier)
    if person is None:
        raise DelightedError(404, "Person not found.")
    erase_person(db.session, person, actor=g.key.actor, now=now())
    return jsonify({"ok": True}), 202


@bp.route("/people/<path:email>/survey_requests/pending", methods=["DELETE"])
@bp.route("/people/<path:email>/survey_requests/pending.json", methods=["DELETE"],
          endpoint="delete_pending_json")
@require_key(*WRITE)
@write_endpoint("delighted.pending.delete")
def delete_pending(email: str) -> Any:
    """Cancel the person's survey emails that are scheduled and not yet sent."""
    person = find_by_identifier(db.session, g.key.site_id, f"email:{email}")
    if person is not None:
        pending = db.session.scalars(select(Invitation).where(
            Invitation.person_id == person.id, Invitation.status == "pending"))
        for invitation in pending:
            cancel(invitation, "cancelled_by_api")
    return jsonify({"ok": True})


def _responses_query(params: dict[str, Any]) -> Any:
    query = select(ResponseModel).where(ResponseModel.site_id == g.key.site_id,
                                        ResponseModel.verdict.in_(COUNTED_VERDICTS))
    if params.get("trend"):
        query = query.where(ResponseModel.survey_id == survey_for(
            db.session, _site(), params["trend"]).id)
    bounds = (("since", ResponseModel.created_at, ">="), ("until", ResponseModel.created_at, "<="),
              ("updated_since", ResponseModel.updated_at, ">="),
              ("updated_until", ResponseModel.updated_at, "<="))
    for name, column, op in bounds:
        moment = from_unix(params.get(name), name)
        if moment is not None:
            query = query.where(column >= moment if op == ">=" else column <= moment)
    if params.get("person_id"):
        query = query.where(ResponseModel.person_id == integer(
            params["person_id"], "person_id", 0, 0, 2**62))
    if params.get("person_email"):
        person = find_by_identifier(db.session, g.key.site_id, f"email:{params['person_email']}")
        query = query.where(ResponseModel.person_id == (person.id if person else -1))
    return query


@_route("/survey_responses", methods=["GET"])
@require_key(*WRITE)
def list_survey_responses() -> Any:
    """Responses, oldest first (``order=desc`` for newest first), ``per_page``/``page``."""
    params = request.args.to_dict()
    per_page = integer(params.get("per_page"), "per_page", 20, 1, 100)
    page = integer(params.get("page"), "page", 1, 1, 10**6)
    order = params.get("order", "asc")
    if order not in ("asc", "desc", "asc:updated_at", "desc:updated_at"):
        raise invalid("order")
    column = ResponseModel.updated_at if order.endswith("updated_at") else ResponseModel.created_at
    sort = (column.desc(), ResponseModel.id.desc()) if order.startswith("desc") else (
        column.asc(), ResponseModel.id.asc())
    rows = list(db.session.scalars(_responses_query(params).order_by(*sort)
                                   .limit(per_page).offset((page - 1) * per_page)))
    return jsonify(_responses_json(rows))


def _expand_person() -> bool:
    return "person" in request.args.getlist("expand[]") + request.args.getlist("expand")


def _responses_json(rows: list[ResponseModel]) -> list[dict[str, Any]]:
    """Rows in Delighted's shape; ``expand[]=person`` embeds the person objects."""
    expand = _expand_person()
    ids = {r.person_id for r in rows if r.person_id}
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))}
    dates = person_dates(db.session, ids) if expand else {}
    return [response_json(r, people.get(r.person_id or 0), expand_person=expand,
                          permalink=_permalink(r.id), dates=dates.get(r.person_id or 0))
            for r in rows]


def _permalink(response_id: int) -> str:
    """``GET /v1/responses/{id}`` at the collector's public URL (TENPOINT_PUBLIC_URL, or the
    port ``tenpoint serve --port`` listens on)."""
    return f"{current_app.config['PUBLIC_URL']}/v1/responses/{response_id}"


@_route("/survey_responses/<int:response_id>", methods=["GET"])
@require_key(*WRITE)
def retrieve_survey_response(response_id: int) -> Any:
    """One response (the clients' ``SurveyResponse.retrieve``), ``expand[]=person`` too."""
    row = db.session.get(ResponseModel, response_id)
    if row is None or row.site_id != g.key.site_id or row.verdict not in COUNTED_VERDICTS:
        raise DelightedError(404, "Resource not found.")
    return jsonify(_responses_json([row])[0])


@_route("/survey_responses", methods=["POST"])
@require_key(*WRITE)
@write_endpoint("delighted.survey_responses")
def create_survey_response() -> Any:
    """Record an answer for an existing person (``person`` id) with ``score`` and ``comment``."""
    params, moment = _params(), now()
    person = find_by_identifier(db.session, g.key.site_id, str(params.get("person") or ""))
    if person is None:
        raise invalid("person", "required" if not params.get("person") else "not_found")
    score = integer(params.get("score"), "score", -1, 0, 10)
    if score < 0:
        raise invalid("score", "required")
    properties = params.get("person_properties") or {}
    if not isinstance(properties, dict):
        raise invalid("person_properties")
    survey = survey_for(db.session, _site(), params.get("trend"))
    response = record_response(
        db.session, survey, person,
        NewResponse(score=score, comment=params.get("comment"), channel="api",
                    properties=properties,
                    # A stored preference list answers in its first language.
                    locale=next(iter(parse_language_list(person.locale)), None)), moment)
    return jsonify(response_json(response, person, expand_person=False,
                                 permalink=_permalink(response.id))), 201


@_route("/metrics", methods=["GET"])
@require_key(*WRITE)
def metrics() -> Any:
    """NPS and category counts, for ``since``/``until`` (unix seconds) and a ``trend``."""
    params = request.args.to_dict()
    survey_id = survey_for(db.session, _site(), params["trend"]).id if params.get("trend") else None
    until = from_unix(params.get("until"), "until")
    counts = nps_counts(db.session, g.key.site_id, survey_id=survey_id,
                        since=from_unix(params.get("since"), "since"),
                        until=until + timedelta(seconds=1) if until else None)
    return jsonify(metrics_json(counts))


def _people_with(column: Any, field: str) -> Any:
    per_page = integer(request.args.get("per_page"), "per_page", 20, 1, 100)
    page = integer(request.args.get("page"), "page", 1, 1, 10**6)
    # An erased person is gone: not listed, even with the unsubscribe kept to honour it.
    query = select(Person).where(Person.site_id == g.key.site_id, column.is_not(None),
                                 Person.erased_at.is_(None))
    if (since := from_unix(request.args.get("since"), "since")) is not None:
        query = query.where(column >= since)
    if (until := from_unix(request.args.get("until"), "until")) is not None:
        query = query.where(column <= until)
    people = db.session.scalars(query.order_by(column, Person.id).limit(per_page)
                                .offset((page - 1) * per_page))
    return jsonify([{"person_id": str(p.id), "email": p.shown_email, "name": p.name,
                     field: unix(getattr(p, field))} for p in people])


@_route("/unsubscribes", methods=["GET"])
@require_key(*WRITE)
def list_unsubscribes() -> Any:
    """People who unsubscribed, with when."""
    return _people_with(Person.unsubscribed_at, "unsubscribed_at")


@_route("/unsubscribes", methods=["POST"])
@require_key(*WRITE)
@write_endpoint("delighted.unsubscribes")
def create_unsubscribe() -> Any:
    """Stop survey emails to ``person_email`` (a person is created if unknown)."""
    params, moment = _params(), now()
    email = params.get("person_email")
    if not email:
        raise invalid("person_email", "required")
    person = upsert_person(db.session, g.key.site_id, moment, email=str(email))
    assert person is not None
    unsubscribe_person(db.session, person, actor=g.key.actor, now=moment)
    return jsonify({"ok": True})


@_route("/bounces", methods=["GET"])
@require_key(*WRITE)
def list_bounces() -> Any:
    """People whose survey email bounced, with when."""
    return _people_with(Person.bounced_at, "bounced_at")


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_path(unknown: str) -> Any:
    """Any other path under /delighted/v1 answers 404 in Delighted's shape, not Tenpoint's."""
    raise DelightedError(404, "Resource not found.")
