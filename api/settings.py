"""Settings, from the command line or the environment (`MANDAAT_DATABASE_URL`, `MANDAAT_POLICY_DIR`, …)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
