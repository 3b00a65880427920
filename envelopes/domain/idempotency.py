"""Idempotency: a retry with the same key returns the first answer; the same key with another body is refused.

The key is scoped to the actor. The record keeps a hash of the normalized body and the answer that was given;
the database keeps (actor_id, key) unique, so that of two concurrent first tries only one is stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from envelopes.domain.errors import IdempotencyKeyReused, InvalidInput

_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


@dataclass(frozen=True)
class IdempotencyRecord:
    actor_id: str
    key: str
    body_hash: str  # sha256 of the canonical JSON of the normalized body
    answer: Mapping[str, Any]  # the first answer, as JSON
    created_at: datetime

    def replay(self, body_hash: str) -> Mapping[str, Any]:
        """The first answer, when the body is the same."""
        if body_hash != self.body_hash:
            raise IdempotencyKeyReused(
                f'the idempotency key "{self.key}" was already used for another request',
                field="idempotency_key",
            )
        return self.answer


def checked_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise InvalidInput("an idempotency key is 1-128 visible ASCII characters", field="idempotency_key")
    return key


def body_hash(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
