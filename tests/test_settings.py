from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.core.config import Settings


def test_production_refuses_default_or_missing_secret(monkeypatch):
    monkeypatch.delenv("BARNRATT_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(ENV="production")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(ENV="production", SECRET_KEY="changethis")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(ENV="production", SECRET_KEY="")
    ok = Settings(ENV="production", SECRET_KEY="x" * 40)
    assert ok.ENV == "production"


def test_development_defaults_to_sqlite_under_data_dir(tmp_path):
    settings = Settings(DATA_DIR=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/barnratt.db"


def test_meilisearch_needs_url():
    with pytest.raises(ValidationError, match="MEILI_URL"):
        Settings(SEARCH_BACKEND="meilisearch")
