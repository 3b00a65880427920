"""De scenario's van de budgetten en het comité (financien.feature, comite.feature; stappen in
budget_steps.py). Elk scenario loopt twee keer: via de use cases (`use-cases`) en over HTTP tegen de echte app
(`http`), als de mensen uit het scenario; zie de fixture `wereld` in budget_steps.py."""

import pytest
from budget_steps import FEATURES
from pytest_bdd import scenarios

# pytest-bdd vraagt de fixtures van een stap pas op tijdens de test: `usefixtures` zegt pytest vooraf dat elk
# scenario `backend` gebruikt, zodat het per backend een test maakt.
pytestmark = [
    pytest.mark.usefixtures("backend"),
    pytest.mark.parametrize("backend", ["use-cases", "http"], indirect=True),
]

scenarios(*FEATURES)
