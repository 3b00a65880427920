"""The loader: the demo policy, every refusal with its own bad-file fixture, and all errors in one go."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from rules import loader
from rules.errors import LoadError, PolicyError
from rules.loader import load_policy
from rules.model import (
    Always,
    Bound,
    Compare,
    FactRef,
    Measure,
    ParamRef,
    Policy,
    Scope,
    SourceRef,
    Text,
    Unit,
    Window,
    WindowKind,
)
from rules.source import MAX_FILE_BYTES

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "rules" / "policies" / "demo"
FIXTURES = REPO / "tests" / "fixtures"
MINIMAL = FIXTURES / "minimal_policy"
BAD = FIXTURES / "bad_policies"


def errors_of(folder: Path) -> tuple[LoadError, ...]:
    with pytest.raises(PolicyError) as raised:
        load_policy(folder)
    return raised.value.errors


def minimal_copy(tmp_path: Path, **replacements: tuple[str, str]) -> Path:
    """The minimal policy in tmp_path, with `file_stem=(old, new)` replacements."""
    folder = tmp_path / "policy"
    shutil.copytree(MINIMAL, folder)
    for stem, (old, new) in replacements.items():
        path = folder / f"{stem}.yaml"
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    return folder


# --- the demo policy ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Policy:
    return load_policy(DEMO)


def test_the_demo_policy_has_its_themes_and_items(demo: Policy) -> None:
    assert {key: tuple(theme.items) for key, theme in demo.themes.items()} == {
        "energie": ("energiefactuur",),
        "gezondheid": ("apotheek",),
        "huisvesting": ("huurwaarborg",),
        "kleding": ("winterschoenen", "kinderkleding"),
        "onderwijs": ("schoolreis",),
        "vrije_tijd": ("vrijetijdsbijdrage",),
    }
    assert demo.themes["kleding"].title == Text("Kleding en schoenen", "Clothing and shoes")
    assert demo.themes["kleding"].path == "kleding.yaml"


def test_the_demo_parameters_have_their_dated_values(demo: Policy) -> None:
    shoes = demo.parameters["winterschoenen_max"]
    assert shoes.unit is Unit.EUR
    assert shoes.value_on(date(2023, 12, 31)) is None
    assert shoes.value_on(date(2024, 1, 1)) == 6000
    assert shoes.value_on(date(2026, 12, 31)) == 6000
    assert shoes.value_on(date(2027, 1, 1)) == 6500
    assert shoes.source == SourceRef("kleding.yaml", 5, 3)
    assert demo.parameters["meerderjarigheid"].unit is Unit.YEARS
    assert demo.parameters["meerderjarigheid"].value_on(date(2025, 6, 1)) == 18
    assert demo.parameters["mandaatplafond"].value_on(date(2025, 6, 1)) == 25000
    assert set(demo.parameters) == {
        "mandaatplafond",
        "meerderjarigheid",
        "energiefactuur_max",
        "apotheek_per_aanvraag_max",
        "apotheek_per_jaar_max",
        "winterschoenen_max",
        "kinderkleding_max",
        "schoolreis_max",
        "vrijetijd_max",
    }


def test_the_demo_general_file(demo: Policy) -> None:
    assert demo.general.mandate_ceiling == Bound(parameter="mandaatplafond")
    assert demo.general.path == "algemeen.yaml"
    assert demo.general.basis == "OCMW-raad 12 maart 2024, kader hulpgelden art. 2"


def test_the_demo_items_their_conditions_and_limits(demo: Policy) -> None:
    shoes = demo.item("kleding", "winterschoenen")
    assert shoes is not None
    # the parameter comes from another file (algemeen.yaml): any file may use any parameter
    assert shoes.delegated_when == Compare("<", FactRef("beneficiary.age"), ParamRef("meerderjarigheid"))
    assert shoes.delegated_when_text == "beneficiary.age < meerderjarigheid"
    assert shoes.basis == "OCMW-raad 12 maart 2024, kader hulpgelden art. 4"  # the theme's
    assert shoes.source == SourceRef("kleding.yaml", 19, 3)
    per_request, per_winter = shoes.limits
    assert per_request.rule_id == "kleding.winterschoenen.amount_per_request"
    assert (per_request.measure, per_request.scope, per_request.window) == (
        Measure.AMOUNT,
        Scope.REQUEST,
        None,
    )
    assert per_request.bound == Bound(parameter="winterschoenen_max")
    assert per_request.expression == "amount per request <= winterschoenen_max"
    assert per_request.text is not None
    assert per_request.text.nl == "{amount} is meer dan het maximum van {max} per paar winterschoenen"
    assert per_winter.rule_id == "kleding.winterschoenen.count_per_beneficiary_winter_season"
    assert per_winter.window == Window(WindowKind.WINTER_SEASON)
    assert per_winter.bound == Bound(value=1)
    assert per_winter.source == SourceRef("kleding.yaml", 27, 15)
    housing = demo.item("huisvesting", "huurwaarborg")
    assert housing is not None
    assert housing.delegated_when == Always(False)
    assert housing.limits == ()
    assert housing.note is not None
    assert housing.note.en == "A rental deposit is always decided by the committee."


def test_the_policy_is_frozen(demo: Policy) -> None:
    assert isinstance(demo.themes, MappingProxyType)
    assert isinstance(demo.parameters, MappingProxyType)
    assert all(isinstance(theme.items, MappingProxyType) for theme in demo.themes.values())
    assert all(isinstance(item.limits, tuple) for item in demo.items())
    assert isinstance(demo.parameters["winterschoenen_max"].values, tuple)
    with pytest.raises(TypeError):
        demo.themes["x"] = demo.themes["kleding"]  # type: ignore[index]


def test_the_version_is_a_hash_of_the_rule_files_names_and_bytes(demo: Policy, tmp_path: Path) -> None:
    assert len(demo.version) == 64
    assert int(demo.version, 16) >= 0
    assert load_policy(DEMO).version == demo.version
    assert [name for name, _ in demo.files] == sorted(path.name for path in DEMO.glob("*.yaml"))
    assert (
        dict(demo.files)["kleding.yaml"] == hashlib.sha256((DEMO / "kleding.yaml").read_bytes()).hexdigest()
    )

    copy = tmp_path / "demo"
    shutil.copytree(DEMO, copy)
    assert load_policy(copy).version == demo.version  # the folder's own path is not part of it
    (copy / "tests").mkdir(exist_ok=True)
    (copy / "tests" / "voorbeeld.yaml").write_text("not: a rule file\n")
    (copy / "LEESMIJ.md").write_text("notes")
    assert load_policy(copy).version == demo.version  # examples and other files are not part of it
    (copy / "energie.yaml").write_text((copy / "energie.yaml").read_text() + "# a comment\n")
    changed = load_policy(copy).version
    assert changed != demo.version
    (copy / "energie.yaml").rename(copy / "energy.yaml")
    assert load_policy(copy).version not in (demo.version, changed)


def test_the_minimal_fixture_loads() -> None:
    policy = load_policy(str(MINIMAL))
    assert [item.key for item in policy.items()] == ["schoenen"]


# --- one bad-file fixture per refusal -----------------------------------------------------------------------

# (case folder, file ("" for the folder itself), line, column, a part of the message)
BAD_CASES = [
    ("alias", "kleding.yaml", 13, 12, "aliases (*name) are not allowed"),
    ("anchor", "kleding.yaml", 3, 8, "anchors (&name) are not allowed"),
    ("tag", "kleding.yaml", 10, 19, 'tags such as "tag:yaml.org,2002:float" are not allowed'),
    ("too_deep", "kleding.yaml", 13, 29, "nesting is deeper than 20 levels"),
    ("key_not_text", "kleding.yaml", 14, 5, "a key must be a name, not a list or a mapping"),
    ("yaml_syntax_error", "kleding.yaml", 14, 19, "invalid YAML: while parsing a flow mapping"),
    ("two_documents", "kleding.yaml", 17, 1, "expected a single document"),
    ("not_utf8", "kleding.yaml", 13, 23, "the file is not UTF-8 text"),
    ("control_character", "kleding.yaml", 13, 22, "the control character U+0007 is not allowed"),
    ("empty_file", "kleding.yaml", 1, 1, "the file is empty"),
    ("empty_folder", "", 0, 0, "the policy folder holds no rule files (*.yaml)"),
    ("no_general_file", "", 0, 0, 'no general file: one rule file must start with "general:"'),
    ("two_general_files", "algemeen2.yaml", 1, 1, "a second general file; the general file is algemeen.yaml"),
    ("neither_general_nor_theme", "kleding.yaml", 1, 1, 'a rule file starts with "general:"'),
    ("not_a_mapping", "kleding.yaml", 1, 1, 'a rule file starts with "general:"'),
    ("general_and_theme", "kleding.yaml", 1, 1, "either the general file or a theme file, not both"),
    (
        "unknown_key",
        "kleding.yaml",
        15,
        5,
        'unknown key "limts" in item "schoenen"; allowed: title, delegated_when, limits, basis, note',
    ),
    ("missing_key", "kleding.yaml", 13, 5, 'missing key "delegated_when" in item "schoenen"'),
    ("general_missing_basis", "algemeen.yaml", 2, 3, 'missing key "basis" in "general"'),
    (
        "wrong_type",
        "kleding.yaml",
        2,
        8,
        "the title of the theme must be written per language, as {nl: …, en: …}",
    ),
    ("limits_not_a_list", "kleding.yaml", 15, 13, 'the limits of item "schoenen" must be a list'),
    ("empty_text", "kleding.yaml", 13, 16, 'the title of item "schoenen" (nl) is empty'),
    (
        "text_language",
        "kleding.yaml",
        13,
        27,
        'unknown key "fr" in the title of item "schoenen"; allowed: nl, en',
    ),
    ("invalid_item_id", "kleding.yaml", 12, 3, '"Winter-Schoenen" is not a valid item id'),
    ("invalid_theme_id", "kleding.yaml", 1, 8, '"Kleding" is not a valid theme id'),
    ("limit_invalid_id", "kleding.yaml", 17, 13, '"per-aanvraag" is not a valid limit id'),
    ("duplicate_item_id", "kleding.yaml", 17, 3, 'duplicate key "schoenen" (first written on line 12)'),
    ("duplicate_theme", "kleren.yaml", 1, 8, 'theme "kleding" is already defined in kleding.yaml'),
    (
        "duplicate_parameter",
        "kleding.yaml",
        5,
        3,
        'parameter "mandaatplafond" is already defined in algemeen.yaml:6',
    ),
    (
        "limit_duplicate_id",
        "kleding.yaml",
        17,
        9,
        'duplicate limit id "amount_per_request" in item "schoenen"',
    ),
    ("theme_without_items", "kleding.yaml", 11, 8, "a theme needs at least one item"),
    (
        "unknown_unit",
        "kleding.yaml",
        7,
        11,
        'the unit of parameter "schoenen_max" must be one of: EUR, count, years',
    ),
    ("no_values", "kleding.yaml", 9, 13, 'parameter "schoenen_max" needs at least one dated value'),
    ("malformed_date", "kleding.yaml", 10, 7, '"2024-13-01" is not a date; write YYYY-MM-DD'),
    ("duplicate_date", "kleding.yaml", 11, 7, 'duplicate key "2024-01-01" (first written on line 10)'),
    ("unsorted_dates", "kleding.yaml", 11, 7, "must increase: 2024-01-01 comes after 2027-01-01"),
    ("eur_fraction", "kleding.yaml", 10, 19, 'YAML reads 60.5 as a fraction; write the amount as "60.50"'),
    (
        "eur_unquoted_decimals",
        "kleding.yaml",
        10,
        19,
        'YAML reads 60.00 as a fraction; write the amount as "60.00"',
    ),
    ("eur_not_an_amount", "kleding.yaml", 10, 19, '"60,00" is not an amount'),
    ("eur_negative", "kleding.yaml", 10, 19, 'a value of parameter "schoenen_max" cannot be negative'),
    ("count_not_whole", "kleding.yaml", 10, 19, '(unit "count") must be a whole number, 0 or more'),
    ("condition_syntax", "kleding.yaml", 14, 45, "delegated_when: expected a fact, a parameter or a value"),
    ("condition_unknown_fact", "kleding.yaml", 14, 21, 'delegated_when: unknown fact "beneficiary.leeftijd"'),
    (
        "condition_unknown_parameter",
        "kleding.yaml",
        14,
        39,
        'delegated_when: unknown parameter "meerderjarig"',
    ),
    ("condition_type_mismatch", "kleding.yaml", 14, 37, 'cannot compare fact "beneficiary.age" (integer)'),
    ("condition_unquoted_amount", "kleding.yaml", 14, 39, 'write "250.00", not 250'),
    ("condition_quoted_column", "kleding.yaml", 14, 43, 'texts can only be compared with == or !=, not "<"'),
    ("limit_unknown_parameter", "kleding.yaml", 16, 31, 'limit: unknown parameter "schoenen_maximum"'),
    (
        "limit_unsupported_window",
        "kleding.yaml",
        16,
        35,
        'limit: unsupported window "week"; supported: calendar',
    ),
    (
        "limit_malformed",
        "kleding.yaml",
        16,
        20,
        'limit: an "amount" limit is written "amount per request <= …"',
    ),
    ("limit_bound_type", "kleding.yaml", 16, 52, 'limit: parameter "schoenen_max" has unit "EUR"'),
    (
        "limit_unknown_key",
        "kleding.yaml",
        17,
        9,
        'unknown key "tekst" in a limit of item "schoenen"; allowed: rule',
    ),
    ("unknown_placeholder", "kleding.yaml", 17, 42, 'unknown placeholder "{maximum}"'),
    ("unclosed_placeholder", "kleding.yaml", 17, 20, "a { or } is not closed"),
    ("ceiling_unknown_parameter", "algemeen.yaml", 4, 20, 'unknown parameter "plafond" in mandate_ceiling'),
    ("ceiling_wrong_unit", "algemeen.yaml", 4, 20, 'has unit "count"; mandate_ceiling needs EUR'),
    (
        "ceiling_unquoted_decimals",
        "algemeen.yaml",
        4,
        20,
        'YAML reads 250.00 as a fraction; write the amount as "250.00"',
    ),
]


@pytest.mark.parametrize(
    ("case", "path", "line", "column", "message"), BAD_CASES, ids=[case[0] for case in BAD_CASES]
)
def test_each_bad_policy_is_refused_with_one_precise_error(
    case: str, path: str, line: int, column: int, message: str
) -> None:
    folder = BAD / case
    [error] = errors_of(folder)
    assert (error.path, error.line, error.column) == (path or str(folder), line, column)
    assert message in error.message


def test_every_fixture_folder_is_covered() -> None:
    assert sorted(path.name for path in BAD.iterdir() if path.is_dir()) == sorted(
        case[0] for case in BAD_CASES
    )


def test_errors_read_path_line_column_message() -> None:
    [error] = errors_of(BAD / "unknown_key")
    assert str(error) == (
        'kleding.yaml:15:5: unknown key "limts" in item "schoenen"; '
        "allowed: title, delegated_when, limits, basis, note"
    )


# --- the folder as a whole ----------------------------------------------------------------------------------


def test_all_errors_of_all_files_in_one_go(tmp_path: Path) -> None:
    folder = minimal_copy(
        tmp_path,
        algemeen=("mandate_ceiling: mandaatplafond", "mandate_ceiling: plafond"),
        kleding=("    limits:", "    limts:"),
    )
    (folder / "energie.yaml").write_text("theme: energie\ntitle: {nl: Energie}\nbasis: x\nitems: {a: 1}\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(folder)
    error = raised.value
    assert [(e.path, e.line, e.column) for e in error.errors] == [
        ("algemeen.yaml", 4, 20),
        ("energie.yaml", 4, 12),
        ("kleding.yaml", 15, 5),
    ]
    assert str(error).splitlines()[0] == 'algemeen.yaml:4:20: unknown parameter "plafond" in mandate_ceiling'


def test_several_errors_in_one_file_are_all_reported_in_line_order(tmp_path: Path) -> None:
    folder = minimal_copy(
        tmp_path,
        kleding=(
            "    delegated_when: beneficiary.age < 18",
            "    delegated_when: beneficiary.age < 18 or x < 1",
        ),
    )
    text = (
        (folder / "kleding.yaml")
        .read_text()
        .replace("unit: EUR", "unit: euro")
        .replace("limits:", "limits: 5")
    )
    (folder / "kleding.yaml").write_text(text.replace("- amount per request <= schoenen_max", ""))
    errors = errors_of(folder)
    assert [(e.line, e.column) for e in errors] == [(7, 11), (14, 45), (15, 13)]


def test_a_parameter_with_a_broken_unit_does_not_also_make_it_unknown(tmp_path: Path) -> None:
    folder = minimal_copy(tmp_path, kleding=("    unit: EUR", "    unit: euro"))
    assert [e.message for e in errors_of(folder)] == [
        'the unit of parameter "schoenen_max" must be one of: EUR, count, years'
    ]


def test_a_missing_folder(tmp_path: Path) -> None:
    [error] = errors_of(tmp_path / "nowhere")
    assert (error.path, error.line, error.column) == (str(tmp_path / "nowhere"), 0, 0)
    assert error.message == "the policy folder does not exist"


def test_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("general: {}\n")
    assert errors_of(tmp_path / "policy.yaml")[0].message == "the policy folder does not exist"


def test_a_file_over_one_mebibyte_even_without_size_limits(tmp_path: Path) -> None:
    folder = minimal_copy(tmp_path)
    (folder / "groot.yaml").write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(folder, None)  # a stored version: only the format's own bound
    [error] = raised.value.errors
    assert (error.path, error.line, error.column) == ("groot.yaml", 1, 1)
    assert "larger than 1024 KiB" in error.message


def test_only_yaml_files_directly_in_the_folder_are_rule_files(tmp_path: Path) -> None:
    folder = minimal_copy(tmp_path)
    (folder / "tests").mkdir()
    (folder / "tests" / "voorbeeld.yaml").write_text("broken: [\n")
    (folder / "map.yaml").mkdir()
    assert [name for name, _ in load_policy(folder).files] == ["algemeen.yaml", "kleding.yaml"]


def test_a_yml_file_is_refused_rather_than_silently_skipped(tmp_path: Path) -> None:
    folder = minimal_copy(tmp_path)
    (folder / "oud.yml").write_text("theme: oud\n")
    [error] = errors_of(folder)
    assert (error.path, error.line, error.column) == ("oud.yml", 1, 1)
    assert "rename oud.yml to oud.yaml" in error.message


def test_capacity_problems_of_the_compiler_become_load_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_big(policy: Policy) -> list[tuple[SourceRef, str]]:
        item = policy.items()[0]
        return [(item.source, f"too many limits on {item.key}")]

    monkeypatch.setattr(loader, "capacity_problems", too_big)
    assert errors_of(MINIMAL) == (LoadError("kleding.yaml", 12, 3, "too many limits on schoenen"),)


# --- what the format allows --------------------------------------------------------------------------------


def test_amount_forms_and_a_literal_mandate_ceiling(tmp_path: Path) -> None:
    folder = minimal_copy(
        tmp_path,
        algemeen=("mandate_ceiling: mandaatplafond", 'mandate_ceiling: "199.99"'),
        kleding=('      2024-01-01: "60.00"', "      2024-01-01: 60\n      2025-01-01: '60.5'"),
    )
    policy = load_policy(folder)
    assert policy.general.mandate_ceiling == Bound(value=19999)
    assert [v.value for v in policy.parameters["schoenen_max"].values] == [6000, 6050]
    folder = minimal_copy(
        tmp_path / "b", algemeen=("mandate_ceiling: mandaatplafond", "mandate_ceiling: 250")
    )
    assert load_policy(folder).general.mandate_ceiling == Bound(value=25000)


def test_an_item_with_its_own_basis_id_text_and_theme_window(tmp_path: Path) -> None:
    limit = (
        "    basis: Eigen basis\n"
        "    limits:\n"
        "      - rule: sum of theme per household per rolling 90 days <= '150.00'\n"
        "        id: per_gezin\n"
        '        text: {nl: "{total} is meer dan {max} in {window}", en: "{used} + {amount} > {max}"}\n'
        "      - count per dossier per rolling 6 months <= 2\n"
    )
    folder = minimal_copy(
        tmp_path, kleding=("    limits:\n      - amount per request <= schoenen_max\n", limit)
    )
    item = load_policy(folder).item("kleding", "schoenen")
    assert item is not None
    assert item.basis == "Eigen basis"
    first, second = item.limits
    assert first.rule_id == "kleding.schoenen.per_gezin"
    assert first.text == Text("{total} is meer dan {max} in {window}", "{used} + {amount} > {max}")
    assert first.window == Window(WindowKind.ROLLING_DAYS, 90)
    assert second.rule_id == "kleding.schoenen.count_per_dossier_rolling_6_months"
    assert second.expression == "count per dossier per rolling 6 months <= 2"
