"""The collector's version, from one source: setup.cfg, read from the installed distribution's
metadata (``tenpoint --version``, ``/healthz``)."""

from __future__ import annotations

from importlib.metadata import version

__version__ = version("tenpoint-collector")
