"""Passwords: which ones are refused, and their argon2id hashes.

The policy follows NIST SP 800-63B: a minimum length, a list of passwords too common to allow, no composition
rules. Hashes are argon2id (argon2-cffi); the parameters come from the settings, and a hash made with weaker
ones is replaced at the next successful sign-in. Verifying an account that does not exist, or has no password,
runs against a dummy hash, so that the answer takes as long as for a real account.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from envelopes.domain.errors import InvalidInput
from envelopes.domain.text import control_character, with_lf

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_DISTINCT = 5

#: Passwords people choose first (Dutch and English), lower-cased; a longer breached list can replace this.
COMMON = frozenset(
    {
        "password1234",
        "passwordpassword",
        "wachtwoord12",
        "wachtwoord123",
        "wachtwoord1234",
        "welkom123456",
        "welkomwelkom",
        "123456789012",
        "1234567890123",
        "qwertyuiop12",
        "qwertyuiopasdf",
        "azertyuiop12",
        "iloveyou1234",
        "letmein12345",
        "mandaat12345",
        "mandaat123456",
        "changeme1234",
        "administrator",
        "administrator1",
    }
)


class WeakPassword(InvalidInput):
    code = "weak_password"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="password")


def check_password(password: str, *, user_id: str) -> str:
    """The password, when it may be used by `user_id`; WeakPassword (saying why) otherwise."""
    if not password or not password.strip():
        raise WeakPassword("a password is required")
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password has at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    if control_character(with_lf(password), lines=False) is not None:
        raise WeakPassword("a password is one line without control characters (sign-in would refuse it)")
    if len(set(password)) < MIN_DISTINCT:
        raise WeakPassword(f"a password has at least {MIN_DISTINCT} different characters")
    lowered = password.lower()
    if lowered in COMMON:
        raise WeakPassword("this password is too common")
    if len(user_id) >= 3 and user_id.lower() in lowered:
        raise WeakPassword("a password may not contain the user name")
    return password


class Passwords:
    """argon2id hashing with the installation's parameters."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._dummy = self._hasher.hash("not a password: verified when there is no account to verify")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash, a verification that fails in the same time."""
        if len(password) > MAX_LENGTH:
            password = password[:MAX_LENGTH] + "\0"  # still one full verification, never a match
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
