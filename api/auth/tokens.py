"""Access tokens: compact JWS (JWT, HS256) signed with the installation's key, standard library only.

A token names the user (`sub`), the token version of their credentials (`ver`), when it was issued (`iat`)
and when it expires (`exp`). The signature only proves that Mandaat issued it; whether it still counts is
decided per request against the database (the account is active, the version is current).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")

ISSUER = "mandaat"
_HEADER = {"alg": "HS256", "typ": "JWT"}
MAX_TOKEN_LENGTH = 4096


class InvalidToken(Exception):
    """The token is not one Mandaat issued, or it has expired. `reason` is one fixed word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    version: int
    issued_at: int  # seconds since the epoch
    expires_at: int


class TokenSigner:
    def __init__(self, key: Callable[[], bytes], ttl: timedelta) -> None:
        self._key = key  # asked for at first use: it may live in the database
        self.ttl = ttl

    def issue(self, user_id: str, version: int, now: datetime) -> str:
        issued = int(now.timestamp())
        claims = {
            "iss": ISSUER,
            "sub": user_id,
            "ver": version,
            "iat": issued,
            "exp": issued + int(self.ttl.total_seconds()),
        }
        signing_input = f"{_encode(_HEADER)}.{_encode(claims)}"
        return f"{signing_input}.{_b64(self._sign(signing_input))}"

    def read(self, token: str, now: datetime) -> TokenClaims:
        """The claims of a token Mandaat signed that has not expired; InvalidToken otherwise."""
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or token.count(".") != 2:
            raise InvalidToken("malformed")
        header_part, claims_part, signature_part = token.split(".")
        signature = _unb64(signature_part)
        if not hmac.compare_digest(signature, self._sign(f"{header_part}.{claims_part}")):
            raise InvalidToken("bad_signature")
        if _decode(header_part) != _HEADER:
            raise InvalidToken("malformed")
        claims = _decode(claims_part)
        try:
            parsed = TokenClaims(
                user_id=_typed(claims["sub"], str),
                version=_typed(claims["ver"], int),
                issued_at=_typed(claims["iat"], int),
                expires_at=_typed(claims["exp"], int),
            )
        except KeyError:
            raise InvalidToken("malformed") from None
        if claims.get("iss") != ISSUER:
            raise InvalidToken("malformed")
        if now.timestamp() >= parsed.expires_at:
            raise InvalidToken("expired")
        return parsed

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._key(), signing_input.encode("ascii"), hashlib.sha256).digest()


def _typed(value: Any, kind: type[T]) -> T:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidToken("malformed")
    return value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed") from None


def _encode(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def _decode(text: str) -> dict[str, Any]:
    try:
        value = json.loads(_unb64(text))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidToken("malformed") from None
    if not isinstance(value, dict):
        raise InvalidToken("malformed")
    return value
