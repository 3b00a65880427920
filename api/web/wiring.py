"""What the web pages need besides `Mandaat`, wired from it once per application: the web read side, the
session cookie's signing key (derived from the installation's secret, as the access tokens' key is), and the
templates.

This is the web's part of the composition root. It reaches `envelopes.persistence` itself only because
`api/composition.py` does not make these yet (see api/web/README.md: moving them there is a small change).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.auth.access import InstanceKey
from api.composition import Mandaat
from api.web.sessions import SessionCodec
from envelopes.persistence.accounts import SqlAccounts
from envelopes.persistence.database import make_session_factory
from envelopes.persistence.web_views import SqlWebViews

SESSION_KEY_PURPOSE = "web sessions"


@dataclass(frozen=True)
class WebServices:
    mandaat: Mandaat
    views: SqlWebViews
    sessions: SessionCodec
    templates: Environment


def web_services(mandaat: Mandaat) -> WebServices:
    session_factory = make_session_factory(mandaat.database)
    writing = make_session_factory(mandaat.databases.writes)  # the installation's secret, made once
    secret = mandaat.settings.secret_key
    key = InstanceKey(
        None if secret is None else secret.get_secret_value(),
        lambda: SqlAccounts(writing),
        mandaat.clock,
    )
    return WebServices(
        mandaat=mandaat,
        views=SqlWebViews(session_factory),
        sessions=SessionCodec(lambda: key.derive(SESSION_KEY_PURPOSE), mandaat.clock),
        templates=template_environment(),
    )


def template_environment() -> Environment:
    folder = files("api") / "templates"
    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html", "svg"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
