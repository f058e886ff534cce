"""The baseline: the smallest Flask JSON endpoint, served by gunicorn exactly like the collector.

Every throughput figure in docs/benchmarks.md is a ratio against this app measured in the same
run, so the figure says how close Tenpoint comes to the limit of its own stack (Python, Flask,
gunicorn, loopback), not how fast this particular machine happens to be.

It reads the JSON body like any JSON endpoint must, and answers a small JSON object; nothing
else. ``GET /healthz`` exists so the harness waits for both apps the same way.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/", methods=["GET", "POST"])
@app.route("/v1/<path:_rest>", methods=["GET", "POST"])
def hello(_rest: str = "") -> object:
    """Answer ``{"hello": "world"}`` after parsing whatever JSON was posted."""
    request.get_json(force=True, silent=True)
    return jsonify(hello="world")


@app.get("/healthz")
def healthz() -> object:
    return jsonify(status="ok")
