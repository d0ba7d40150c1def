"""One place for configuration: environment variables with the prefix ``BARNRATT_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "changethis"
MIN_SECRET_LENGTH = 32
RATE_LIMIT_SCHEMES = ("memory", "redis", "rediss", "redis+unix")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BARNRATT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    ENV: Literal["development", "production"] = "development"
    DATA_DIR: Path = Path("data")
    DATABASE_URL: str | None = None
    SECRET_KEY: str = DEFAULT_SECRET
    # The public address used in permalinks, feeds, oEmbed, embeds and mail. Required in
    # production; in development, pages use the address they were requested at and links
    # made outside a request (mail, CLI) use http://127.0.0.1:PORT.
    BASE_URL: str | None = None
    # The port `barnratt serve` listens on (it also reads PORT and passes its choice on).
    PORT: int = Field(default=8000, ge=1, le=65535)
    SEARCH_BACKEND: Literal["embedded", "meilisearch"] = "embedded"
    MEILI_URL: str | None = None
    MEILI_API_KEY: str | None = None
    MEILI_INDEX: str = "examples"
    # Outgoing mail for notifications; printed to the log when unset.
    SMTP_URL: str | None = None
    MAIL_FROM: str = "noreply@barnrattsbanken.se"
    # Public API rate limit per client and minute.
    API_RATE_LIMIT_PER_MINUTE: int = Field(default=600, ge=1)
    # Where the rate limit's counts live: memory:// (this process only) or a Redis URL
    # (redis://host:6379/0, rediss://..., redis+unix:///path?db=0) shared by every worker
    # and server. Production refuses memory:// unless RATE_LIMIT_ALLOW_MEMORY says the
    # deployment is one process.
    RATE_LIMIT_STORAGE: str = "memory://"
    RATE_LIMIT_ALLOW_MEMORY: bool = False
    # Prefix of the limiter's Redis keys, so deployments (or tests) can share one Redis.
    RATE_LIMIT_KEY_PREFIX: str = Field(default="barnratt", min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    # The server drains the search outbox in the background; tests may turn it off.
    RUN_INDEXER: bool = True
    # How often the indexer compares the index with the database and heals it.
    INDEX_CHECK_SECONDS: float = Field(default=60.0, gt=0)
    # First retry delay after the search engine refused a write (doubles, capped at 5 min).
    INDEX_RETRY_SECONDS: float = Field(default=1.0, gt=0)
    SESSION_MAX_AGE_SECONDS: int = Field(default=8 * 3600, ge=60)
    # Days an editor has to review a submission, for counties without their own setting.
    REVIEW_DAYS: int = Field(default=14, ge=1, le=365)
    # `barnratt reminders` mails the assignee from this many days before the due date.
    REMINDER_LEAD_DAYS: int = Field(default=2, ge=0, le=365)
    # A published example is due for re-review this many months after its last review.
    REREVIEW_MONTHS: int = Field(default=24, ge=1, le=240)
    # Attachments of examples: largest accepted file, and where files are kept (under
    # DATA_DIR/attachments unless an S3-compatible bucket is configured).
    UPLOAD_MAX_BYTES: int = Field(default=10 * 1024 * 1024, ge=1024)
    S3_BUCKET: str | None = None
    S3_ENDPOINT_URL: str | None = None
    S3_REGION: str = "eu-north-1"
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_PREFIX: str = "attachments/"
    # Contact form of an example: messages per sender address and per IP address and hour.
    CONTACT_RATE_LIMIT_PER_HOUR: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.ENV != "development":
            # Two rules: never the development default (nor a value built from it, such as
            # a padded placeholder), and never short.
            if not self.SECRET_KEY or DEFAULT_SECRET in self.SECRET_KEY.casefold():
                raise ValueError(
                    "BARNRATT_SECRET_KEY must be set to a long random value outside development, "
                    "not the development default"
                )
            if len(self.SECRET_KEY) < MIN_SECRET_LENGTH:
                raise ValueError(f"BARNRATT_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        if self.BASE_URL is not None and not self.BASE_URL.strip():
            self.BASE_URL = None
        if self.BASE_URL is not None:
            if not self.BASE_URL.lower().startswith(("http://", "https://")):
                raise ValueError("BARNRATT_BASE_URL must start with http:// or https://")
            self.BASE_URL = self.BASE_URL.rstrip("/")
        elif self.ENV != "development":
            raise ValueError(
                "BARNRATT_BASE_URL must be set outside development (the public address, e.g. "
                "https://barnrattsbanken.se)"
            )
        scheme = self.RATE_LIMIT_STORAGE.partition("://")[0].lower()
        if "://" not in self.RATE_LIMIT_STORAGE or scheme not in RATE_LIMIT_SCHEMES:
            raise ValueError(
                "BARNRATT_RATE_LIMIT_STORAGE must be memory:// or a Redis URL "
                "(redis://, rediss://, redis+unix://)"
            )
        if scheme == "memory" and self.ENV != "development" and not self.RATE_LIMIT_ALLOW_MEMORY:
            raise ValueError(
                "BARNRATT_RATE_LIMIT_STORAGE is memory:// outside development: each worker would "
                "count alone and allow the limit once per process. Point it at Redis "
                "(redis://host:6379/0), or set BARNRATT_RATE_LIMIT_ALLOW_MEMORY=true for a "
                "single-process deployment"
            )
        if self.SEARCH_BACKEND == "meilisearch" and not self.MEILI_URL:
            raise ValueError("BARNRATT_MEILI_URL is required when BARNRATT_SEARCH_BACKEND=meilisearch")
        return self

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite:///{(self.DATA_DIR / 'barnratt.db').resolve()}"

    @property
    def public_base_url(self) -> str:
        """The base URL for links made outside a request (mail, CLI): BASE_URL, or in
        development the local address of the port served."""
        return self.BASE_URL or f"http://127.0.0.1:{self.PORT}"

    def base_url_for(self, request_base: str) -> str:
        """The base URL of links on a page: BASE_URL when set; in development the address
        the page was requested at (so any port or host name works)."""
        return self.BASE_URL or request_base.rstrip("/")

    @property
    def rate_limit_is_shared(self) -> bool:
        return not self.RATE_LIMIT_STORAGE.lower().startswith("memory://")

    @property
    def is_development(self) -> bool:
        return self.ENV == "development"


@lru_cache
def get_settings() -> Settings:
    return Settings()
