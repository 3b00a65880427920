"""The use cases: one function each, one transaction each (`with uow: … uow.commit()`), one log entry per
state change. Collaborators come in as arguments: the unit of work, the decision engine, the clock."""

from envelopes.services.aid_requests import cancel_aid, withdraw_aid_request
from envelopes.services.committee import committee_decide
from envelopes.services.decisions import preview_aid_request, resubmit_aid_request, submit_aid_request
from envelopes.services.dossiers import create_dossier, reassign_dossier
from envelopes.services.engine import DecisionEngine, rules_engine
from envelopes.services.envelopes import (
    adjust_envelope,
    freeze_envelope,
    open_envelope,
    transfer,
    unfreeze_envelope,
)
from envelopes.services.log import log_head, verify_log
from envelopes.services.policies import install_first_policy_version, register_policy_version
from envelopes.services.users import add_user, bootstrap_admin, disable_user, set_role

__all__ = [
    "DecisionEngine",
    "add_user",
    "adjust_envelope",
    "bootstrap_admin",
    "cancel_aid",
    "committee_decide",
    "create_dossier",
    "disable_user",
    "freeze_envelope",
    "install_first_policy_version",
    "log_head",
    "open_envelope",
    "preview_aid_request",
    "reassign_dossier",
    "register_policy_version",
    "resubmit_aid_request",
    "rules_engine",
    "set_role",
    "submit_aid_request",
    "transfer",
    "unfreeze_envelope",
    "verify_log",
    "withdraw_aid_request",
]
