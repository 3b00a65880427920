"""Policies bundled with the package."""

from pathlib import Path

#: The demo kader of DESIGN.md: used by the first run, the features and the tests.
DEMO_POLICY = Path(__file__).resolve().parent / "demo"
