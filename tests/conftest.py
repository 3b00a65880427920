"""Options for the whole test suite.

`--run-slow` (or MANDAAT_RUN_SLOW=1) also runs the tests marked `slow`: the long variants meant for nightly
runs. Without it they are skipped with that reason, so a plain `make test` stays within CI's time limit.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run the long variants marked slow (for nightly runs)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or os.environ.get("MANDAAT_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="a long-running variant: run it with --run-slow (or MANDAAT_RUN_SLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
