"""Persistence adapters of the budget domain: SQLAlchemy Core tables, the SQL repositories and unit of work,
engines for SQLite and PostgreSQL, and the Alembic migrations. Imports `envelopes.domain`, `envelopes`'
abstract repositories and unit of work, and `rules` value types; nothing imports it except the composition
root (`api/`) and the integration tests."""
