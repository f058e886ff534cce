"""Importers of data exported from other survey tools."""
