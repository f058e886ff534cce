"""The analytics endpoints, one module per resource."""
