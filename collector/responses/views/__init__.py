"""The responses endpoints, one module per resource."""
