"""Extension objects, bound to an app by ``create_app`` through ``init_app``."""

from __future__ import annotations

from flask_smorest import Api
from flask_sqlalchemy_lite import SQLAlchemy

from collector.errors import ErrorSchema
from collector.guards import BoundedIntConverter, bounded_int_schema


class TenpointApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by collector.errors, in one shape for every surface."""


db = SQLAlchemy(engine_options={"pool_pre_ping": True})
rest_api = TenpointApi()
# Path ids are bounded by what the database holds (collector/guards.py); documented as such.
rest_api.register_converter(BoundedIntConverter, bounded_int_schema)
