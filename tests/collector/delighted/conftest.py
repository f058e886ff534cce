from __future__ import annotations

import warnings
from typing import Any

import pytest

from collector.core.extensions import db
from tests.factories import make_site, make_survey

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # the package announces Delighted's sunset
    import delighted


@pytest.fixture
def delighted_client(make_app, sqlite_url, live_server) -> Any:
    """A Delighted client pointed at a live collector, the way a migrating team would."""
    app = make_app(sqlite_url)
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
    server = live_server(app)
    client = delighted.Client(api_key=site.secret,
                              api_base_url=f"{server.url}/delighted/v1/")
    client.site = site
    client.app = app
    return client
