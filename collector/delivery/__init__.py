"""Getting things out of the collector: email, webhooks."""
