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


def test_default_secret_refused_even_when_long_enough():
    """The default-secret rule by itself: a padded placeholder passes the length rule."""
    padded = "changethis-" * 4
    assert len(padded) >= 32
    with pytest.raises(ValidationError, match="not the development default"):
        Settings(ENV="production", SECRET_KEY=padded)
    with pytest.raises(ValidationError, match="not the development default"):
        Settings(ENV="production", SECRET_KEY="CHANGETHIS" + "q7Lr2" * 8)


def test_short_secret_refused_by_the_length_rule():
    """The length rule by itself: a random but short secret that is not the default."""
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(ENV="production", SECRET_KEY="Zq81-kd93_Lw0p")
    assert Settings(ENV="production", SECRET_KEY="Zq81-kd93_Lw0pVb7c2Nm4Xr6Ts1Yh5G").ENV == "production"


def test_development_accepts_the_default_secret(monkeypatch):
    monkeypatch.delenv("BARNRATT_SECRET_KEY", raising=False)
    assert Settings(ENV="development").SECRET_KEY == "changethis"


def test_development_defaults_to_sqlite_under_data_dir(tmp_path):
    settings = Settings(DATA_DIR=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/barnratt.db"


def test_meilisearch_needs_url():
    with pytest.raises(ValidationError, match="MEILI_URL"):
        Settings(SEARCH_BACKEND="meilisearch")
