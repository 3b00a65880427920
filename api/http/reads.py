"""What of client dossiers an answer shows, written to the access log before the answer is given: one entry
per dossier (an aid request names its dossier), who, when, why (`purpose_of` the user) and what (the
household, or the aid requests with their free texts). Not best effort: when the entries cannot be written,
the answer is a 500 and nothing is shown."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from api.auth.access import Shown, purpose_of
from api.http.deps import mandaat_of
from api.http.errors import client_of
from envelopes.domain.users import User


def record_reads(
    request: Request, user: User, dossier_ids: Iterable[str], shown: Shown = Shown.HOUSEHOLD
) -> None:
    """`user` is shown these dossiers (by id; each once however often it is named)."""
    mandaat_of(request).access.dossiers_read(
        client_of(request), user.id, dossier_ids, purpose_of(user), shown=shown
    )
