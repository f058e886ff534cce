"""Exports of responses, streamed: any size in constant memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, g, stream_with_context
from flask.views import MethodView

from collector.access.auth import READ, require_key
from collector.core.extensions import db
from collector.core.lookups import survey_filter
from collector.core.parsing import Blueprint
from collector.governance.schemas import ExportArgsSchema
from collector.responses.exports import FORMATS, ExportFilter, export_chunks

blp = Blueprint("exports", __name__, url_prefix="/v1/exports",
                description="Responses as CSV or NDJSON.")


@blp.route("/responses")
class ResponsesExport(MethodView):
    @require_key(*READ)
    @blp.arguments(ExportArgsSchema, location="query")
    @blp.doc(responses={"200": {"description": "text/csv or application/x-ndjson, streamed"}})
    def get(self, args: dict[str, Any]) -> Response:
        """Every response in the span, oldest first, as ``format=csv`` or ``ndjson``.

        Streamed: the first rows arrive before the last are read. CSV cells that a
        spreadsheet would run as a formula are prefixed with ``'``.
        """
        survey_id = survey_filter(args)
        spec = ExportFilter(g.key.site_id, survey_id, args.get("since"), args.get("until"),
                            args.get("verdict"))
        fmt = args["format"]
        session = db.session
        chunks = export_chunks(session, spec, fmt)

        def stream() -> Iterator[str]:
            # The body is sent after the view's teardown: close this very session when it
            # is done (or the client goes away), or its read transaction would stay open.
            try:
                yield from chunks
            finally:
                session.close()

        response = Response(stream_with_context(stream()), mimetype=FORMATS[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="responses.{fmt}"'
        response.headers["Cache-Control"] = "no-store"
        return response
