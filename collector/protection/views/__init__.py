"""The protection endpoints, one module per resource."""
