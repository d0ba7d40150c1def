"""One place for configuration: environment variables with the prefix ``BARNRATT_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "changethis"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BARNRATT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    ENV: Literal["development", "production"] = "development"
    DATA_DIR: Path = Path("data")
    DATABASE_URL: str | None = None
    SECRET_KEY: str = DEFAULT_SECRET
    BASE_URL: str = "http://127.0.0.1:8000"
    SEARCH_BACKEND: Literal["embedded", "meilisearch"] = "embedded"
    MEILI_URL: str | None = None
    MEILI_API_KEY: str | None = None
    MEILI_INDEX: str = "examples"
    # Outgoing mail for notifications; printed to the log when unset.
    SMTP_URL: str | None = None
    MAIL_FROM: str = "noreply@barnrattsbanken.se"
    # Public API rate limit per client and minute.
    API_RATE_LIMIT_PER_MINUTE: int = Field(default=600, ge=1)
    # The server drains the search outbox in the background; tests may turn it off.
    RUN_INDEXER: bool = True
    # How often the indexer compares the index with the database and heals it.
    INDEX_CHECK_SECONDS: float = Field(default=60.0, gt=0)
    # First retry delay after the search engine refused a write (doubles, capped at 5 min).
    INDEX_RETRY_SECONDS: float = Field(default=1.0, gt=0)
    SESSION_MAX_AGE_SECONDS: int = Field(default=8 * 3600, ge=60)
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
            if not self.SECRET_KEY or self.SECRET_KEY == DEFAULT_SECRET:
                raise ValueError(
                    "BARNRATT_SECRET_KEY must be set to a long random value outside development"
                )
            if len(self.SECRET_KEY) < 32:
                raise ValueError("BARNRATT_SECRET_KEY must be at least 32 characters")
        if self.SEARCH_BACKEND == "meilisearch" and not self.MEILI_URL:
            raise ValueError("BARNRATT_MEILI_URL is required when BARNRATT_SEARCH_BACKEND=meilisearch")
        return self

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite:///{(self.DATA_DIR / 'barnratt.db').resolve()}"

    @property
    def is_development(self) -> bool:
        return self.ENV == "development"


@lru_cache
def get_settings() -> Settings:
    return Settings()
