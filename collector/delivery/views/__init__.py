"""The delivery endpoints, one module per resource."""
