"""The request and response bodies of the JSON API, one module per resource (`XCreate` in, `XPublic` out)."""
