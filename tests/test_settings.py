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
    ok = Settings(ENV="production", SECRET_KEY="x" * 40, BASE_URL="https://barnrattsbanken.se/",
                  RATE_LIMIT_STORAGE="redis://127.0.0.1:6379/0")
    assert ok.ENV == "production"
    assert ok.public_base_url == "https://barnrattsbanken.se"


def test_production_refuses_to_start_without_a_base_url(monkeypatch):
    monkeypatch.delenv("BARNRATT_BASE_URL", raising=False)
    with pytest.raises(ValidationError, match="BASE_URL"):
        Settings(ENV="production", SECRET_KEY="x" * 40)
    with pytest.raises(ValidationError, match="BASE_URL"):
        Settings(ENV="production", SECRET_KEY="x" * 40, BASE_URL="  ")
    with pytest.raises(ValidationError, match="BASE_URL"):
        Settings(ENV="development", BASE_URL="barnrattsbanken.se")


def test_development_base_url_follows_the_port_and_the_request(monkeypatch):
    monkeypatch.delenv("BARNRATT_BASE_URL", raising=False)
    monkeypatch.setenv("BARNRATT_PORT", "8150")
    settings = Settings()
    assert settings.BASE_URL is None
    assert settings.public_base_url == "http://127.0.0.1:8150"
    assert settings.base_url_for("http://localhost:8150/") == "http://localhost:8150"
    fixed = Settings(BASE_URL="https://barnrattsbanken.se")
    assert fixed.base_url_for("http://localhost:8150/") == "https://barnrattsbanken.se"
    assert fixed.public_base_url == "https://barnrattsbanken.se"


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
    assert Settings(ENV="production", SECRET_KEY="Zq81-kd93_Lw0pVb7c2Nm4Xr6Ts1Yh5G", BASE_URL="https://barnrattsbanken.se",
                    RATE_LIMIT_STORAGE="redis://127.0.0.1:6379/0").ENV == "production"


def test_development_accepts_the_default_secret(monkeypatch):
    monkeypatch.delenv("BARNRATT_SECRET_KEY", raising=False)
    assert Settings(ENV="development").SECRET_KEY == "changethis"


def test_development_defaults_to_sqlite_under_data_dir(tmp_path):
    settings = Settings(DATA_DIR=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/barnratt.db"


def test_meilisearch_needs_url():
    with pytest.raises(ValidationError, match="MEILI_URL"):
        Settings(SEARCH_BACKEND="meilisearch")


PRODUCTION = {"ENV": "production", "SECRET_KEY": "Zq81-kd93_Lw0pVb7c2Nm4Xr6Ts1Yh5G", "BASE_URL": "https://barnrattsbanken.se"}


def test_production_refuses_a_per_process_rate_limit_unless_told_it_is_one_process(monkeypatch):
    monkeypatch.delenv("BARNRATT_RATE_LIMIT_STORAGE", raising=False)
    monkeypatch.delenv("BARNRATT_RATE_LIMIT_ALLOW_MEMORY", raising=False)
    with pytest.raises(ValidationError, match="RATE_LIMIT_STORAGE is memory://"):
        Settings(**PRODUCTION)
    with pytest.raises(ValidationError, match="RATE_LIMIT_ALLOW_MEMORY"):
        Settings(**PRODUCTION, RATE_LIMIT_STORAGE="memory://")
    one_process = Settings(**PRODUCTION, RATE_LIMIT_ALLOW_MEMORY=True)
    assert one_process.RATE_LIMIT_STORAGE == "memory://" and not one_process.rate_limit_is_shared
    shared = Settings(**PRODUCTION, RATE_LIMIT_STORAGE="redis://redis:6379/0")
    assert shared.rate_limit_is_shared
    # Development counts in memory by default.
    assert Settings(ENV="development").RATE_LIMIT_STORAGE == "memory://"


@pytest.mark.parametrize("uri", ["redis//127.0.0.1", "memcached://127.0.0.1:11211", "127.0.0.1:6379", ""])
def test_rate_limit_storage_must_be_memory_or_redis(uri):
    with pytest.raises(ValidationError, match="RATE_LIMIT_STORAGE must be memory:// or a Redis URL"):
        Settings(RATE_LIMIT_STORAGE=uri)


def test_rate_limit_key_prefix_is_one_plain_word():
    with pytest.raises(ValidationError, match="RATE_LIMIT_KEY_PREFIX"):
        Settings(RATE_LIMIT_KEY_PREFIX="two words")
    assert Settings(RATE_LIMIT_KEY_PREFIX="barnratt-staging").RATE_LIMIT_KEY_PREFIX == "barnratt-staging"


def test_serve_warns_when_several_workers_would_count_alone():
    from app.cli import per_process_limit_warning

    warning = per_process_limit_warning(Settings(RATE_LIMIT_STORAGE="memory://"), 3)
    assert warning and "3 times" in warning and "Redis" in warning
    assert per_process_limit_warning(Settings(RATE_LIMIT_STORAGE="memory://"), 1) is None
    assert per_process_limit_warning(Settings(RATE_LIMIT_STORAGE="redis://127.0.0.1:6379/0"), 4) is None
