"""/report: the read-only report page grew into the console (collector/console/); its old
addresses redirect there, so bookmarks and links keep working."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("report", __name__, url_prefix="/report")


@bp.get("")
def report() -> ResponseReturnValue:
    """The console's overview, with the same survey and days filters."""
    filters: dict[str, Any] = request.args.to_dict()
    return redirect(url_for("console.overview", **filters), code=301)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """The console's sign-in; 308 keeps a posted form a POST."""
    return redirect(url_for("console.sign_in"), code=308)
