"""The response browser: filters, comment search, keyset pages, export, one answer's page."""

from __future__ import annotations

from flask import Response, abort, g, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from collector.console.browsing import (
    CATEGORIES,
    VERDICTS,
    FilterError,
    ResponseFilter,
    category_counts,
    detail,
    facets,
    page_of,
    parse_filter,
    scope,
    survey_names,
)
from collector.console.views import bp, viewer
from collector.core.clock import now
from collector.core.extensions import db
from collector.responses.exports import FORMATS, export_chunks


def _filter() -> tuple[ResponseFilter, FilterError | None]:
    try:
        return parse_filter(request.args), None
    except FilterError as error:
        return ResponseFilter(), error


@bp.get("/responses")
@viewer
def responses() -> ResponseReturnValue:
    """Answers newest first, filtered; the filter stays in the URL, so a view can be shared."""
    site_id = g.console_key.site_id
    spec, error = _filter()
    where = scope(db.session, site_id, spec)
    page = page_of(db.session, where, cursor=request.args.get("after"))
    counts = category_counts(db.session, where)
    html = render_template(
        "console/responses.html", spec=spec, error=error, page=page, counts=counts,
        total=sum(counts.values()), facets=facets(db.session, site_id),
        surveys=survey_names(db.session, site_id), categories=CATEGORIES, verdicts=VERDICTS,
        args=spec.query_args(), first_page=not request.args.get("after"))
    return html, 400 if error else 200


@bp.get("/responses/export.<fmt>")
@viewer
def export(fmt: str) -> ResponseReturnValue:
    """The current filter's answers as CSV or NDJSON, streamed (responses/exports.py)."""
    if fmt not in FORMATS:
        abort(404)
    spec, error = _filter()
    if error is not None:
        abort(400)
    where = scope(db.session, g.console_key.site_id, spec)
    name = f"responses-{now().strftime('%Y%m%d-%H%M')}.{fmt}"
    chunks = export_chunks(db.session, where.export_filter(), fmt)
    return Response(stream_with_context(chunks), mimetype=FORMATS[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Type": FORMATS[fmt]})


@bp.get("/responses/<int:response_id>")
@viewer
def response_detail(response_id: int) -> ResponseReturnValue:
    """One answer: score, comment, answers, properties, verdict, its follow-up case."""
    found = detail(db.session, g.console_key.site_id, response_id)
    if found is None:
        abort(404)
    return render_template("console/response.html", d=found, r=found.response)
