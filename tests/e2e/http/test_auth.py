"""Signing in and staying signed in: tokens, their expiry, disabled accounts, role changes, new passwords,
throttling of failed sign-ins, and what the access log keeps (and never keeps)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from api.auth.access import Client
from envelopes import services as use
from envelopes.domain.users import Role
from envelopes.persistence.accounts import AccessEvent
from envelopes.persistence.auth_tables import sign_in_tries
from envelopes.services import commands as cmd
from tests.e2e.http import world
from tests.e2e.http.conftest import PASSWORD, Api, Installation, fresh_api

ME = "/me"


def events(api: Api, limit: int = 50) -> list[AccessEvent]:
    with api.mandaat.access._accounts(True) as store:  # the accounts unit of work, read only
        return store.events(limit=limit)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def raw_bearer(token: str) -> dict[str, bytes]:
    """As sent by a client that does not limit itself to ASCII."""
    return {"Authorization": f"Bearer {token}".encode("latin-1")}


def test_signing_in_gives_a_bearer_token_that_expires_in_30_minutes(api: Api) -> None:
    response = api.sign_in(world.CASEWORKER)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert response.headers["cache-control"] == "no-store"
    me = api.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": "anna",
        "name": "Anna",
        "role": "caseworker",
        "team": None,
        "mandate_ceiling": None,
    }


@pytest.mark.parametrize(
    ("user", "password"),
    [
        ("anna", "not the password"),
        ("nobody", PASSWORD),
        ("", PASSWORD),
        ("anna", ""),
        ("x" * 500, "y" * 5000),
    ],
)
def test_a_failed_sign_in_says_the_same_whatever_was_wrong(api: Api, user: str, password: str) -> None:
    response = api.sign_in(user, password)

    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    if response.status_code == 400:
        assert response.json() == {
            "type": "urn:mandaat:problem:invalid-credentials",
            "title": "Invalid credentials",
            "status": 400,
            "detail": "the user name or the password is not right",
            "code": "invalid_credentials",
            "error": "invalid_grant",
        }


def test_a_disabled_user_cannot_sign_in_even_with_the_right_password(api: Api) -> None:
    use.disable_user(cmd.DisableUser("admin", "anna"), api.mandaat.uow(), api.clock)

    response = api.sign_in("anna")

    assert response.status_code == 400
    assert events(api, 1)[0].detail == "disabled"


def test_a_token_stops_working_when_it_expires(api: Api) -> None:
    api.clock.advance(minutes=29, seconds=59)
    assert api.get(ME, as_="anna").status_code == 200

    api.clock.advance(seconds=1)
    response = api.get(ME, as_="anna")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["type"] == "urn:mandaat:problem:unauthenticated"
    refused = events(api, 1)[0]
    assert (refused.event, refused.detail, refused.status) == ("access.refused", "expired", 401)


def test_a_disabled_users_token_stops_working_at_once(api: Api) -> None:
    assert api.get("/dossiers", as_="anna").status_code == 200

    use.disable_user(cmd.DisableUser("admin", "anna"), api.mandaat.uow(), api.clock)

    response = api.get("/dossiers", as_="anna")
    assert response.status_code == 401
    refused = events(api, 1)[0]
    assert (refused.detail, refused.user_id) == ("disabled", "anna")


def test_a_new_role_takes_effect_on_the_next_request(api: Api) -> None:
    use.set_role(cmd.SetRole("admin", "anna", Role.FINANCE), api.mandaat.uow(), api.clock)

    assert api.get("/dossiers", as_="anna").status_code == 403
    assert api.get("/envelopes/" + api.envelopes["kleding"] + "/ledger", as_="anna").status_code == 200


def test_a_new_password_ends_every_older_token(api: Api) -> None:
    old_token = api.tokens["anna"]
    api.mandaat.access.set_password("anna", "een heel nieuw wachtwoord", Client(None, "TEST", "test"))

    assert api.get(ME, headers=bearer(old_token)).status_code == 401
    assert events(api, 1)[0].detail == "revoked"
    assert api.sign_in("anna").status_code == 400
    fresh = api.sign_in("anna", "een heel nieuw wachtwoord").json()["access_token"]
    assert api.get(ME, headers=bearer(fresh)).status_code == 200


def _forged(token: str, **claims: object) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(claims)
    encoded = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


@pytest.mark.parametrize(
    "make",
    [
        lambda token: _forged(token, sub="admin"),
        lambda token: _forged(token, exp=4_000_000_000),
        lambda token: "eyJhbGciOiJub25lIn0." + token.split(".")[1] + ".",
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not a token",
        lambda token: "é.é.é",
        lambda token: "",
    ],
    ids=["other-user", "longer-expiry", "alg-none", "bad-signature", "garbage", "non-ascii", "empty"],
)
def test_a_token_that_mandaat_did_not_sign_is_refused(api: Api, make: object) -> None:
    token = make(api.tokens["anna"])  # type: ignore[operator]

    response = api.get(ME, headers=raw_bearer(token) if token else {})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_no_token_is_asked_for_with_a_bearer_challenge(api: Api) -> None:
    response = api.get("/envelopes")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert events(api, 1)[0].detail == "missing"


def test_five_failed_sign_ins_lock_the_name_for_a_minute(api: Api) -> None:
    for _ in range(5):
        assert api.sign_in("anna", "wrong password").status_code == 400

    locked = api.sign_in("anna")  # even the right password
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "60"
    assert locked.json()["type"] == "urn:mandaat:problem:too-many-attempts"
    assert locked.json()["retry_after"] == 60
    assert api.sign_in("bram").status_code == 200  # another name from the same address still signs in

    api.clock.advance(seconds=45)
    assert api.sign_in("anna").headers["retry-after"] == "15"
    api.clock.advance(seconds=15)
    assert api.sign_in("anna").status_code == 200
    assert [e.event for e in events(api, 3)] == ["login.succeeded", "login.throttled", "login.succeeded"]


def test_a_successful_sign_in_starts_the_count_again(api: Api) -> None:
    for _ in range(4):
        api.sign_in("anna", "wrong password")
    assert api.sign_in("anna").status_code == 200
    for _ in range(4):
        api.sign_in("anna", "wrong password")

    assert api.sign_in("anna").status_code == 200


def test_signing_in_is_not_counted_against_the_address(api: Api) -> None:
    for _ in range(25):  # an office behind one address, its people signing in all day
        assert api.sign_in("anna").status_code == 200

    for attempt in range(19):
        assert api.sign_in(f"guess{attempt}", "wrong password").status_code == 400
    assert api.sign_in("bram").status_code == 200


def test_failures_a_lockout_apart_never_lock(api: Api) -> None:
    for _ in range(8):
        assert api.sign_in("anna", "wrong password").status_code == 400
        api.clock.advance(seconds=60)

    assert api.sign_in("anna").status_code == 200


def throttle_counts(api: Api) -> dict[str, int]:
    with api.mandaat.database.connect() as database:
        rows = database.execute(select(sign_in_tries.c.key, sign_in_tries.c.tries))
        return {key: tries for key, tries in rows}


def test_the_counts_of_the_throttle_hold_keyed_hashes_only_and_are_forgotten(api: Api) -> None:
    api.sign_in("geheime.naam@example.org", "wrong password")

    counts = throttle_counts(api)
    assert sorted(tries for tries in counts.values() if tries) == [1, 1]  # the login name's, the address's
    assert all(len(key) == 64 and "geheime" not in key for key in counts)
    api.clock.advance(seconds=61)
    api.sign_in("anna")
    assert len(throttle_counts(api)) == 2  # anna's and the address's: the others' lockout is over


def test_many_failures_from_one_address_lock_it_for_every_name(api: Api) -> None:
    for attempt in range(20):
        assert api.sign_in(f"guess{attempt}", "wrong password").status_code == 400

    response = api.sign_in("bram")

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) == 60


def test_the_access_log_holds_no_password_and_no_unknown_login_name(api: Api) -> None:
    api.sign_in("anna", "Geheim-wachtwoord-123")
    api.sign_in("anna.typo@example.org", PASSWORD)
    api.sign_in("anna")
    api.get("/envelopes", as_="admin")  # refused: the admin has no budget powers

    logged = events(api, 4)
    text = repr(logged)
    assert "Geheim-wachtwoord-123" not in text
    assert PASSWORD not in text
    assert "typo" not in text
    assert [(e.event, e.user_id, e.detail) for e in reversed(logged)] == [
        ("login.failed", "anna", "wrong_password"),
        ("login.failed", None, "unknown_account"),
        ("login.succeeded", "anna", "password"),
        ("access.refused", "admin", "role"),
    ]
    unknown = logged[2]
    assert unknown.account_key is not None
    assert len(unknown.account_key) == 64
    assert all(e.client_key is None or len(e.client_key) == 64 for e in logged)
    assert all(e.route.startswith("/api/v1/") for e in logged)


def test_a_weak_password_is_refused(api: Api) -> None:
    from api.auth.passwords import WeakPassword

    setup = Client(None, "TEST", "test")
    unusable = ["een lang wachtwoord\n", "een lang\x00wachtwoord"]  # sign-in would refuse them
    for weak in ["", "kort", "aaaaaaaaaaaaaaaa", "wachtwoord123", "annas-eigen-wachtwoord", *unusable]:
        with pytest.raises(WeakPassword):
            api.mandaat.access.set_password("anna", weak, setup)
    assert api.sign_in("anna").status_code == 200  # the old one still counts


def test_a_hash_made_with_weaker_parameters_is_replaced_at_sign_in(
    installation: Installation, tmp_path: Path
) -> None:
    stronger = fresh_api(installation, tmp_path, argon2_time_cost=2)
    api = next(stronger)
    try:
        before = _stored_hash(api, "anna")
        assert "t=1" in before
        assert api.sign_in("anna").status_code == 200
        after = _stored_hash(api, "anna")
        assert "t=2" in after
        assert api.get(ME, as_="anna").status_code == 200  # the token from before still counts
    finally:
        stronger.close()


def _stored_hash(api: Api, user: str) -> str:
    with api.mandaat.access._accounts(True) as store:
        account = store.account(user)
    assert account is not None
    assert account.credential is not None
    return account.credential.password_hash
