"""Alembic migrations of the Mandaat schema; run them with `envelopes.persistence.migrate.upgrade(url)`."""
