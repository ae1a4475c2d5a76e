"""Guanxi (关系): an open-source, self-hosted CRM that knows what it costs."""
