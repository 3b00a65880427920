"""Alle scenario's in features/*.feature, tegen het gebundelde demobeleid (stappen in conftest.py)."""

from pytest_bdd import scenarios

scenarios(".")
