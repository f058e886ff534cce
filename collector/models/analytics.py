"""Indexes the analytics queries need on tables other modules own.

``GET /v1/metrics/nps`` reads every answer in a span; this covering index holds all it
needs for the column groupings, so the database scans a narrow index in time order instead
of visiting each (wide) response row. Measured in bench/metrics_1m.py.
"""

from __future__ import annotations

from sqlalchemy import Index

from collector.models.response import Response

METRICS_INDEX = Index(
    "ix_responses_metrics", Response.site_id, Response.created_at, Response.verdict,
    Response.category, Response.touchpoint, Response.channel, Response.locale, Response.value,
)
