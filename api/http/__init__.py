"""The JSON API under /api/v1: `create_app(settings)` in app.py; one router and one schema module per
resource; roles as dependencies (deps.py); every error as problem details (errors.py)."""
