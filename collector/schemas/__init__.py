"""marshmallow schemas: input schemas reject unknown fields (marshmallow's RAISE default)."""
