"""De regelscenario's: alle .feature-bestanden behalve die van budget_steps.py, tegen het gebundelde
demobeleid (stappen in conftest.py). Elk scenario loopt twee keer: rechtstreeks op de engine (`engine`) en
over HTTP tegen de echte app (`http`); zie `beslisser_voor` in conftest.py."""

from pathlib import Path

import pytest
from budget_steps import FEATURES as BUDGETSCENARIOS
from pytest_bdd import scenarios

# pytest-bdd vraagt de fixtures van een stap pas op tijdens de test: `usefixtures` zegt pytest vooraf dat elk
# scenario `backend` gebruikt, zodat het per backend een test maakt.
pytestmark = [
    pytest.mark.usefixtures("backend"),
    pytest.mark.parametrize("backend", ["engine", "http"], indirect=True),
]

scenarios(
    *sorted(pad.name for pad in Path(__file__).parent.glob("*.feature") if pad.name not in BUDGETSCENARIOS)
)
