"""Settings, from the command line or the environment (`MANDAAT_DATABASE_URL`, `MANDAAT_POLICY_DIR`, …)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from rules.policies import DEMO_POLICY


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

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [part for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        return [str(ipaddress.ip_network(part.strip(), strict=False)) for part in value]  # else ValueError
