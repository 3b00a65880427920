"""Refusals of the use cases as plain Dutch on the pages, next to the field at fault.

The domain's messages are English and meant for developers and the API; a caseworker reads these instead.
Each is found by the error's code and field (the domain's field names), then by its code alone. The text is
Dutch; `Words` gives the English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from api.http.errors import MAX_LISTED_ERRORS
from api.web.i18n import Words
from envelopes.domain.errors import DomainError, PolicyRejected
from rules.money import Money

_TEMPORARY_FOLDER = re.compile(r"^\S*mandaat-policy-[^/:\s]*/?(?::0:0)?:? ?")


@dataclass(frozen=True)
class Refusal:
    field: str | None  # the form field at fault (the domain's name), or None for the form as a whole
    text: str  # in the session's language
    problems: tuple[str, ...] = ()  # the `path:line:column: message`s of rule files that do not load
    more_problems: int = 0  # how many more there were than `problems` lists (MAX_LISTED_ERRORS)


BY_FIELD: Mapping[tuple[str, str], str] = {
    ("invalid_input", "amount"): "Vul een bedrag in dat groter is dan € 0,00.",
    ("invalid_input", "quantity"): "Het aantal is een geheel getal van 1 tot 1000.",
    ("invalid_input", "date"): "De datum van de aanvraag ligt in de toekomst.",
    ("invalid_input", "justification"): "Schrijf waarom deze hulp nodig is.",
    ("invalid_input", "reason"): "Geef een reden op.",
    ("invalid_input", "motivation"): "Schrijf de motivering.",
    ("invalid_input", "question"): "Schrijf de vraag aan de maatschappelijk assistent.",
    (
        "invalid_input",
        "reference",
    ): "De referentie bestaat uit 1 tot 64 letters, cijfers en de tekens _ . / : -",
    ("invalid_input", "members"): "Een gezin heeft 1 tot 50 leden: vul minstens één geboortedatum in.",
    ("invalid_input", "to_envelope_id"): "Kies een andere envelop van hetzelfde begrotingsjaar.",
    ("invalid_input", "effective_from"): "Een nieuwe versie gaat vandaag of later in.",
    ("invalid_input", "files"): "Kies de regelbestanden (naam.yaml) van de beleidsmap.",
    ("already_exists", "reference"): "Er bestaat al een dossier met deze referentie.",
    ("already_exists", "effective_from"): "Er is al een beleidsversie die op die datum ingaat.",
    ("not_found", "beneficiary_key"): "Deze persoon hoort niet bij het gezin van het dossier.",
    (
        "no_envelope",
        "theme",
    ): "Er is geen envelop voor dit thema in dit jaar: vraag de financiële dienst er een te openen.",
    ("no_policy_in_force", "date"): "Op die datum is er geen beleid van kracht.",
    ("conflict", "expected_version"): "De regelbestanden zijn niet de versie die u testte.",
}
BY_CODE: Mapping[str, str] = {
    "not_found": "Dit bestaat niet (meer).",
    "forbidden": "U mag dit niet doen met uw rol.",
    "role_not_allowed": "U mag dit niet doen met uw rol.",
    "not_assigned": "Dit dossier is niet aan u toegewezen.",
    "own_request": "U hebt deze aanvraag zelf ingediend: u kunt er niet over beslissen.",
    "invalid_transition": "Dat kan niet meer in de huidige toestand.",
    "envelope_frozen": "De envelop is bevroren: ze neemt geen nieuwe reserveringen of vastleggingen aan.",
    "no_envelope": "Er is geen envelop voor dit thema in dit jaar.",
    "no_policy_in_force": "Er is geen beleid van kracht.",
    "idempotency_key_reused": "Dit formulier werd al verstuurd met andere gegevens: open het opnieuw.",
    "already_exists": "Dit bestaat al.",
    "conflict": "Dat kan niet in de huidige toestand.",
    "control_character": (
        "Deze tekst bevat een onzichtbaar stuurteken dat hier niet kan: typ de tekst opnieuw."
    ),
    "invalid_input": "Deze waarde klopt niet.",
    "policy_rejected": "De regelbestanden laden niet: er is niets veranderd.",
    "domain_error": "Dat kan niet.",
}


def refusal(error: DomainError, words: Words) -> Refusal:
    field = _field(error.field)
    if isinstance(error, PolicyRejected):
        problems = tuple(_shown(problem) for problem in error.problems[:MAX_LISTED_ERRORS])
        more = len(error.problems) - len(problems)
        return Refusal("files", words(BY_CODE["policy_rejected"]), problems, more)
    if error.code == "insufficient_funds":
        return Refusal("amount", _insufficient(error.figures, words))
    if error.code == "invalid_transition" and "status" in error.figures:
        status = words.status(error.figures["status"])
        return Refusal(
            None, words("Dat kan niet meer: deze aanvraag is intussen {status}.", status=status.lower())
        )
    if error.code == "invalid_input" and field == "amount" and "approved" in error.figures:
        return Refusal("motivation", words("Een ander bedrag dan gevraagd vraagt een motivering."))
    if field is not None and "longer than" in error.message:
        return Refusal(field, words("Deze tekst is te lang."))
    if field == "members" or (field or "").startswith("members["):
        return Refusal("members", words(_member_text(error.field or "")))
    text = BY_FIELD.get((error.code, field or "")) or BY_CODE.get(error.code) or BY_CODE["domain_error"]
    return Refusal(field, words(text))


def _field(field: str | None) -> str | None:
    """The form field of a domain field (the committee's question is asked as `question`, and so on)."""
    return {"beneficiary_key": "beneficiary_key", "allocation": "amount"}.get(field or "", field)


MEMBERS: Mapping[str, str] = {
    ".birth_date": "Een geboortedatum kan niet in de toekomst liggen.",
    ".relation": "Kies de relatie uit de lijst.",
}


def _member_text(field: str) -> str:
    suffix = field[field.rfind(".") :] if "." in field else ""
    return MEMBERS.get(suffix, BY_FIELD[("invalid_input", "members")])


def _insufficient(figures: Mapping[str, str], words: Words) -> str:
    available, required = figures.get("available"), figures.get("required")
    if available is None or required is None:
        return words("De envelop heeft niet genoeg beschikbaar.")
    return words(
        "De envelop heeft nog {available} beschikbaar; {required} is nodig.",
        available=words.money(Money.parse(available)),
        required=words.money(Money.parse(required)),
    )


def _shown(problem: str) -> str:
    """A rule-file problem as the policy officer can read it: without the private folder it was checked in."""
    return _TEMPORARY_FOLDER.sub("", problem) or problem
