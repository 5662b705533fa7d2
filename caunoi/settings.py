"""The one place that reads the environment: every setting has the ``CAUNOI_`` prefix."""

from __future__ import annotations

import enum
import functools
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.loader import DEFAULT_DIRECTORY

_DEVELOPMENT_SECRET = "development-only-not-secret"  # noqa: S105 - refused outside development


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Configuration of one Cầu Nối process."""

    model_config = SettingsConfigDict(env_prefix="CAUNOI_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: the SQLite file <data_dir>/caunoi.db
    knowledge_dir: Path = DEFAULT_DIRECTORY
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"
    secret_key: SecretStr = SecretStr(_DEVELOPMENT_SECRET)
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises on an unknown zone
        return value

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment is not Environment.DEVELOPMENT and (not secret.strip() or secret == _DEVELOPMENT_SECRET):
            raise ValueError(
                f"CAUNOI_SECRET_KEY must be set to a real secret when CAUNOI_ENVIRONMENT={self.environment}"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'caunoi.db').as_posix()}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@functools.cache
def get_settings() -> Settings:
    """Return the process settings, read once from the environment."""
    return Settings()
