"""The eligibility endpoints, one module per resource."""
