"""The one place that reads the environment: every setting has the ``CAUNOI_`` prefix."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from casework.deadlines.schemas import DeadlineRule, DeadlineRules
from casework.officials.passwords import password_weakness
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
    port: int = Field(default=8000, ge=1, le=65535)
    # The first admin, created on start when no active admin exists (then these may be unset).
    admin_username: str = ""
    admin_password: SecretStr = SecretStr("")
    token_ttl: dt.timedelta = Field(default=dt.timedelta(hours=12), description="seconds (3600) or ISO 8601 (PT8H)")
    # Deadline rules: JSON, e.g. CAUNOI_DEADLINE_OVERRIDES='[{"kind": "feedback", "resolve": {"day_type":
    # "working", "days": 15}, "resolve_from": "received"}]' replaces the legal default for that kind (and topic).
    deadline_overrides: tuple[DeadlineRule, ...] = ()
    remote_communes: frozenset[str] = frozenset()  # vùng sâu, vùng xa: the longer complaint periods apply
    # Units (commune codes, or "province") whose public replies wait for a supervisor's approval.
    reply_approval_units: frozenset[str] = frozenset()
    due_soon_working_days: int = Field(default=3, ge=0, le=30)
    api_docs: bool | None = None  # /api/v1/docs and openapi.json; None: on except in production
    # Platform channels (docs/channels.md): a channel is on when its token (or OA id) is set.
    telegram_token: SecretStr = SecretStr("")
    telegram_api_url: str = "https://api.telegram.org/bot"  # the token is appended
    telegram_webhook_url: str = ""  # empty: long polling
    telegram_webhook_secret: SecretStr = SecretStr("")
    zalo_bot_token: SecretStr = SecretStr("")
    zalo_bot_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_bot_webhook_url: str = ""  # empty: polling with getUpdates
    zalo_bot_webhook_secret: SecretStr = SecretStr("")
    zalo_oa_id: str = ""
    zalo_oa_app_id: str = ""
    zalo_oa_app_secret: SecretStr = SecretStr("")  # the app's secret: refreshing the access token
    zalo_oa_secret_key: SecretStr = SecretStr("")  # the OA secret key: webhook signatures
    zalo_oa_access_token: SecretStr = SecretStr("")  # first start only: then kept (and refreshed) in the database
    zalo_oa_refresh_token: SecretStr = SecretStr("")
    zalo_oa_api_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_url: str = "https://oauth.zaloapp.com"
    # How long a process keeps a channel's sending or polling to itself without renewing (failover time).
    channel_lease: dt.timedelta = Field(default=dt.timedelta(seconds=15), description="seconds or ISO 8601")

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

    @model_validator(mode="after")
    def _channels_complete(self) -> Settings:
        secret = self.telegram_webhook_secret.get_secret_value()
        if self.telegram_webhook_url and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise ValueError(
                "CAUNOI_TELEGRAM_WEBHOOK_SECRET must be 16 to 256 letters, digits, '_' or '-' when a webhook URL is set"
            )
        if self.zalo_bot_webhook_url and not 16 <= len(self.zalo_bot_webhook_secret.get_secret_value()) <= 256:
            raise ValueError("CAUNOI_ZALO_BOT_WEBHOOK_SECRET must have 16 to 256 characters when a webhook URL is set")
        oa = [
            self.zalo_oa_app_id,
            self.zalo_oa_app_secret.get_secret_value(),
            self.zalo_oa_secret_key.get_secret_value(),
        ]
        if self.zalo_oa_id and not all(oa):
            raise ValueError(
                "a Zalo OA needs CAUNOI_ZALO_OA_APP_ID, CAUNOI_ZALO_OA_APP_SECRET and CAUNOI_ZALO_OA_SECRET_KEY"
            )
        return self

    @field_validator("token_ttl", "channel_lease", mode="before")
    @classmethod
    def _seconds_as_digits(cls, value: object) -> object:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("token_ttl")
    @classmethod
    def _sensible_token_lifetime(cls, value: dt.timedelta) -> dt.timedelta:
        if not dt.timedelta(minutes=1) <= value <= dt.timedelta(days=30):
            raise ValueError("CAUNOI_TOKEN_TTL must lie between one minute and 30 days")
        return value

    @model_validator(mode="after")
    def _first_admin_has_a_real_password(self) -> Settings:
        username = self.admin_username.strip()
        password = self.admin_password.get_secret_value()
        if bool(username) != bool(password):
            raise ValueError("set CAUNOI_ADMIN_USERNAME and CAUNOI_ADMIN_PASSWORD together, or neither")
        if username and not re.fullmatch(r"[a-z0-9][a-z0-9._-]{2,63}", username.lower()):
            raise ValueError("CAUNOI_ADMIN_USERNAME: 3 to 64 letters, digits, '.', '_' or '-', starting alphanumeric")
        # The officials' one password policy, in every environment: the first admin is an official.
        weakness = password_weakness(password, username=username) if username else None
        if weakness:
            raise ValueError(f"CAUNOI_ADMIN_PASSWORD: {weakness}")
        return self

    @property
    def deadline_rules(self) -> DeadlineRules:
        """The legal deadline table with the configured overrides and remote communes."""
        base = DeadlineRules(remote_communes=self.remote_communes, due_soon_working_days=self.due_soon_working_days)
        return base.with_overrides(*self.deadline_overrides)

    @property
    def api_docs_enabled(self) -> bool:
        """Whether the API's docs and OpenAPI document are served (off in production unless asked for)."""
        if self.api_docs is not None:
            return self.api_docs
        return self.environment is not Environment.PRODUCTION

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'caunoi.db').as_posix()}"

    @property
    def uploads_dir(self) -> Path:
        """Where files citizens send through the web chat are kept (personal data: part of the data directory)."""
        return self.data_dir / "uploads"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@functools.cache
def get_settings() -> Settings:
    """Return the process settings, read once from the environment."""
    return Settings()
