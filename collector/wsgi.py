"""WSGI entry point for gunicorn: ``gunicorn collector.wsgi:app``."""

from collector import create_app
from collector.serving import BodyDeadline

app = create_app()
# Bodies arrive within TENPOINT_BODY_TIMEOUT_SECONDS or get a 408 (collector/serving.py).
app.wsgi_app = BodyDeadline(app.wsgi_app, app.config["BODY_TIMEOUT_SECONDS"],  # type: ignore[method-assign]
                            app.config.get("MAX_CONTENT_LENGTH"))
