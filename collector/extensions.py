"""Extension objects, bound to an app by ``create_app`` through ``init_app``."""

from __future__ import annotations

from flask_smorest import Api
from flask_sqlalchemy_lite import SQLAlchemy

from collector.errors import ErrorSchema


class TenpointApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by collector.errors, in one shape for every surface."""


db = SQLAlchemy(engine_options={"pool_pre_ping": True})
rest_api = TenpointApi()
