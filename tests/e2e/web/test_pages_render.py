"""Every role's pages render, in Dutch and in English, with the role's navigation."""

from __future__ import annotations

import pytest

from api.web.pages import NAVIGATION
from envelopes.domain.users import Role
from tests.e2e.http.conftest import USERS, Api
from tests.e2e.web.conftest import signed_in


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_page_of_the_navigation_opens(api: Api, role: Role) -> None:
    browser = signed_in(api, USERS[role])
    for path, label in NAVIGATION[role]:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
        assert f'aria-current="page">{label}<' in response.text or path == "/beleid", path


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_page_opens_in_english_too(api: Api, role: Role) -> None:
    browser = signed_in(api, USERS[role])
    browser.post("/taal", {"lang": "en", "back": "/"})
    for path, _ in NAVIGATION[role]:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
        assert '<html lang="en">' in response.text
