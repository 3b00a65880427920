"""The budget domain in plain Python: envelopes and their ledger, client dossiers, aid requests and their
life, users and the separation of duties, policy versions, idempotency records and the decision log.

Imports only the standard library and the value types of `rules` (money, request, decision, model)."""
