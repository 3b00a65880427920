"""Signing in and out with cookie sessions: the cookie's attributes, a new session id at sign-in (a cookie or
CSRF token from before counts for nothing after: no session fixation), signing out ending the session on the
server (a copy of the old cookie is refused), idle and absolute timeouts (on a fake clock), a disabled account
or a new password ending the session at once, CSRF on every form, and wrong passwords slowed down by the
access control's throttle."""

from __future__ import annotations

import base64
import json
import sqlite3
from contextlib import closing
from typing import Any

from sqlalchemy.engine import make_url

from api.auth.access import Client
from api.web.pages import local_path
from api.web.sessions import ABSOLUTE_TIMEOUT, COOKIE, IDLE_TIMEOUT
from envelopes import services as use
from envelopes.services import commands as cmd
from tests.e2e.http.conftest import PASSWORD, Api
from tests.e2e.web.conftest import CASEWORKER, Browser, another_browser


def payload(cookie: str | None) -> dict[str, Any]:
    assert cookie is not None
    data = cookie.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))))


def test_signing_in_lands_on_the_role_home_with_a_new_session_id_and_csrf_token(browser: Browser) -> None:
    browser.get("/aanmelden")
    before = payload(browser.cookie())
    assert before["uid"] is None

    response = browser.sign_in(CASEWORKER)

    after = payload(browser.cookie())
    assert response.url.path == "/dossiers"
    assert after["uid"] == CASEWORKER
    assert after["sid"] != before["sid"]
    assert after["csrf"] != before["csrf"]
    assert "Welkom, Anna." in response.text


def test_the_cookie_is_http_only_same_site_and_secure_over_https(api: Api) -> None:
    plain = another_browser(api)
    header = plain.get("/aanmelden").headers["set-cookie"]
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/" in header
    assert "Secure" not in header

    secure = another_browser(api, base_url="https://testserver")
    assert "; Secure" in secure.get("/aanmelden").headers["set-cookie"]


def test_a_wrong_password_is_refused_next_to_the_field_and_signs_nobody_in(browser: Browser) -> None:
    response = browser.sign_in(CASEWORKER, "not the password")

    assert response.status_code == 400
    assert 'id="f-password-error"' in response.text
    assert "De gebruikersnaam of het wachtwoord klopt niet." in response.text
    assert payload(browser.cookie())["uid"] is None


def test_wrong_passwords_are_throttled_by_the_access_control(browser: Browser) -> None:
    for _ in range(5):
        assert browser.sign_in(CASEWORKER, "wrong").status_code == 400

    response = browser.sign_in(CASEWORKER, PASSWORD)

    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    assert "Te veel mislukte pogingen" in response.text
    browser.clock.advance(seconds=61)
    assert browser.sign_in(CASEWORKER, PASSWORD).url.path == "/dossiers"


def test_signing_out_ends_the_session(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)

    response = browser.post("/afmelden")

    assert response.url.path == "/aanmelden"
    assert "U bent afgemeld." in response.text
    assert browser.get("/dossiers", follow_redirects=False).headers["location"] == "/aanmelden"


def test_a_form_without_the_csrf_token_is_refused(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)

    without = browser.post("/afmelden", csrf=False)
    forged = browser.post("/afmelden", {"csrf_token": "from-another-site"}, csrf=False)

    assert without.status_code == 403
    assert forged.status_code == 403
    assert "Het formulier is verlopen" in without.text
    assert payload(browser.cookie())["uid"] == CASEWORKER  # still signed in: nothing happened


def test_the_sign_in_form_needs_its_csrf_token_too(browser: Browser) -> None:
    response = browser.post("/aanmelden", {"username": CASEWORKER, "password": PASSWORD}, csrf=False)

    assert response.status_code == 403
    assert payload(browser.cookie())["uid"] is None


def test_a_session_ends_after_the_idle_timeout(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)
    browser.clock.advance(seconds=IDLE_TIMEOUT.total_seconds() + 1)

    response = browser.get("/dossiers")

    assert response.url.path == "/aanmelden"
    assert "omdat u een tijd niets deed" in response.text


def test_activity_keeps_a_session_open_until_the_absolute_timeout(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)
    step = IDLE_TIMEOUT / 2
    elapsed = step * 0
    while elapsed + step < ABSOLUTE_TIMEOUT:
        browser.clock.advance(seconds=step.total_seconds())
        elapsed += step
        assert browser.get("/dossiers").url.path == "/dossiers"

    browser.clock.advance(seconds=step.total_seconds() + 1)  # past the absolute timeout, not idle for long
    response = browser.get("/dossiers")

    assert response.url.path == "/aanmelden"
    assert "duurde te lang" in response.text


def test_disabling_an_account_ends_its_session_at_once(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)

    use.disable_user(cmd.DisableUser("admin", CASEWORKER), browser.mandaat.uow(), browser.mandaat.clock)
    response = browser.get("/dossiers")

    assert response.url.path == "/aanmelden"
    assert "uitgeschakeld" in response.text
    assert payload(browser.cookie())["uid"] is None


def test_a_new_password_ends_the_sessions_made_with_the_old_one(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)

    browser.mandaat.access.set_password(CASEWORKER, "een ander lang wachtwoord", Client(None, "TEST", "test"))

    assert browser.get("/dossiers").url.path == "/aanmelden"


def test_a_tampered_cookie_is_no_session(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)
    cookie = browser.cookie()
    assert cookie is not None
    data = payload(cookie)
    data["uid"] = "admin"
    forged = (
        base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode() + "." + cookie.split(".")[1]
    )
    browser.client.cookies.set("mandaat_session", forged)

    assert browser.get("/beheer", follow_redirects=False).headers["location"] == "/aanmelden"


def test_the_page_asked_for_is_shown_after_signing_in(browser: Browser) -> None:
    assert browser.get("/aanvragen?status=escalated").url.path == "/aanmelden"

    response = browser.post("/aanmelden", {"username": CASEWORKER, "password": PASSWORD})

    assert str(response.url).endswith("/aanvragen?status=escalated")


def test_only_local_paths_are_followed_after_a_form() -> None:
    assert local_path("/dossiers?x=1", "/") == "/dossiers?x=1"
    for other_site in ("//evil.example/x", "https://evil.example", "/\\evil.example", "", None):
        assert local_path(other_site, "/") == "/"


def test_the_start_page_sends_everyone_to_their_own_page(api: Api) -> None:
    expected = {
        "anna": "/dossiers",
        "fien": "/financien",
        "karel": "/comite",
        "piet": "/beleid",
        "audrey": "/audit",
        "admin": "/beheer",
    }
    for user, home in expected.items():
        browser = another_browser(api)
        browser.sign_in(user)
        assert browser.get("/", follow_redirects=False).headers["location"] == home
    assert another_browser(api).get("/", follow_redirects=False).headers["location"] == "/aanmelden"


def test_a_cookie_and_csrf_token_from_before_signing_in_count_for_nothing_after(
    api: Api, browser: Browser
) -> None:
    browser.get("/aanmelden")
    planted, planted_token = browser.cookie(), browser.token  # what another could have set or seen

    browser.sign_in(CASEWORKER)

    assert payload(browser.cookie())["sid"] != payload(planted)["sid"]
    attacker = another_browser(api)
    attacker.client.cookies.set(COOKIE, planted or "")
    assert attacker.get("/dossiers", follow_redirects=False).headers["location"] == "/aanmelden"
    refused = browser.post("/afmelden", {"csrf_token": planted_token}, csrf=False)
    assert refused.status_code == 403
    assert payload(browser.cookie())["uid"] == CASEWORKER  # the form did nothing


def test_signing_out_ends_the_session_on_the_server_so_a_copy_of_the_cookie_is_refused(
    api: Api, browser: Browser
) -> None:
    browser.sign_in(CASEWORKER)
    copy, token = browser.cookie(), browser.token
    replay = another_browser(api)
    replay.client.cookies.set(COOKIE, copy or "")
    assert replay.get("/dossiers", follow_redirects=False).status_code == 200  # a copy works while signed in

    browser.post("/afmelden")

    again = replay.get("/dossiers", follow_redirects=False)
    form = {"csrf_token": token, "reference": "MA-REPLAY", "rows": "1", "birth_0": "2018-05-01"}
    posted = replay.client.post("/dossiers/nieuw", data=form, follow_redirects=False)
    assert again.headers["location"] == "/aanmelden"
    assert posted.status_code == 303
    assert posted.headers["location"] == "/aanmelden"
    assert api.mandaat.views.dossier_by_reference("MA-REPLAY") is None
    assert not api.mandaat.access.session_is_open(payload(copy)["sid"])
    assert "U bent afgemeld." in replay.get("/aanmelden").text


def test_signing_in_again_ends_the_session_signed_in_before(api: Api, browser: Browser) -> None:
    browser.sign_in(CASEWORKER)
    first = browser.cookie()

    browser.post("/aanmelden", {"username": CASEWORKER, "password": PASSWORD})

    assert payload(browser.cookie())["sid"] != payload(first)["sid"]
    replay = another_browser(api)
    replay.client.cookies.set(COOKIE, first or "")
    assert replay.get("/dossiers", follow_redirects=False).headers["location"] == "/aanmelden"
    assert browser.get("/dossiers", follow_redirects=False).status_code == 200


def test_a_timed_out_session_is_forgotten_by_the_server(browser: Browser) -> None:
    browser.sign_in(CASEWORKER)
    session_id = payload(browser.cookie())["sid"]
    assert browser.mandaat.access.session_is_open(session_id)

    browser.clock.advance(seconds=IDLE_TIMEOUT.total_seconds() + 1)
    browser.get("/dossiers")

    assert not browser.mandaat.access.session_is_open(session_id)


def test_the_server_keeps_no_session_id_itself(api: Api, browser: Browser) -> None:
    browser.sign_in(CASEWORKER)
    session_id = payload(browser.cookie())["sid"]
    path = make_url(api.mandaat.settings.database_url).database
    assert path is not None

    with closing(sqlite3.connect(path)) as database:
        rows = database.execute("SELECT session_key, user_id FROM web_sessions").fetchall()

    assert [user for _, user in rows] == [CASEWORKER]
    assert all(session_id not in key for key, _ in rows)  # a keyed hash: a copy of the table signs nobody in
