"""Settings, from the command line or the environment (`MANDAAT_DATABASE_URL`, `MANDAAT_POLICY_DIR`, …)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from rules.policies import DEMO_POLICY
from rules.sizes import DEFAULT_LIMITS, SizeLimits
from rules.source import MAX_FILE_BYTES

MiB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MANDAAT_", extra="forbid", frozen=True)

    database_url: str = Field(
        default="sqlite:///mandaat.db",
        description="sqlite:///path (the embedded default, in the current folder) or postgresql+psycopg://…",
    )
    policy_dir: Path = Field(
        default=DEMO_POLICY,
        description="the policy folder installed as the first version of an empty database",
    )

    threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description="threads per worker process that run the API's calls to the database and the rules; few "
        "is fastest (the interpreter runs one at a time): raise it only when calls wait long on the database",
    )

    # --- what a request may carry --------------------------------------------------------------------------
    max_body_bytes: int = Field(
        default=MiB,
        ge=4096,
        le=64 * MiB,
        description="the largest request body (JSON, a form) in bytes: a larger one is refused with 413 "
        "before it is read, parsed or its sender authenticated. Rule files have their own limits, below",
    )
    policy_max_files: int = Field(
        default=DEFAULT_LIMITS.files,
        ge=1,
        le=1000,
        description="rule files in one policy version (at most 1000)",
    )
    policy_max_file_bytes: int = Field(
        default=DEFAULT_LIMITS.file_bytes,
        ge=1024,
        le=MAX_FILE_BYTES,
        description="bytes in one rule file (at most 1 MiB)",
    )
    policy_max_bytes: int = Field(
        default=DEFAULT_LIMITS.total_bytes,
        ge=1024,
        le=16 * MiB,
        description="bytes in all the rule files of one policy version together. An upload of rule files may "
        "be three times this plus MANDAAT_MAX_BODY_BYTES (JSON may write a character as \\uXXXX)",
    )
    policy_max_entries: int = Field(
        default=DEFAULT_LIMITS.entries,
        ge=1,
        le=1_000_000,
        description="entries in one policy version: its items, their limits, its parameters and their dated "
        "values, counted together",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="addresses or networks (10.0.0.2, 10.0.0.0/24) of reverse proxies whose X-Forwarded-For "
        "and X-Forwarded-Proto count, comma-separated; none by default: the peer is the client",
    )

    # --- accounts and access --------------------------------------------------------------------------------
    secret_key: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="signs access tokens and keys the access log's pseudonyms; when left out, a random key "
        "is made once and kept in the database (shared by every worker). Changing it signs everyone out.",
    )
    token_ttl_minutes: int = Field(default=30, ge=1, le=24 * 60, description="how long an access token lasts")
    login_failure_limit: int = Field(
        default=5,
        ge=1,
        description="failed sign-ins per login name, each within the lockout of the one before, then 429",
    )
    login_client_failure_limit: int = Field(
        default=20,
        ge=1,
        description="failed sign-ins per client address, each within the lockout of the one before, then 429",
    )
    login_lockout_seconds: int = Field(default=60, ge=1, le=24 * 3600, description="the throttle's pause")
    argon2_time_cost: int = Field(default=3, ge=1, description="argon2id passes (RFC 9106)")
    argon2_memory_kib: int = Field(default=65536, ge=8, description="argon2id memory in KiB (RFC 9106)")
    argon2_parallelism: int = Field(default=4, ge=1, description="argon2id lanes (RFC 9106)")

    def policy_limits(self) -> SizeLimits:
        """How large a new policy version may be."""
        return SizeLimits(
            files=self.policy_max_files,
            file_bytes=self.policy_max_file_bytes,
            total_bytes=self.policy_max_bytes,
            entries=self.policy_max_entries,
        )

    @property
    def policy_body_bytes(self) -> int:
        """The largest body of an upload of rule files: the files (as JSON, a character may take three times
        its bytes, "\\u00e9" for "é") and the rest of the request, as any body."""
        return 3 * self.policy_max_bytes + self.max_body_bytes

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [part for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        return [str(ipaddress.ip_network(part.strip(), strict=False)) for part in value]  # else ValueError
