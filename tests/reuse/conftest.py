"""Fixtures for plans, saved searches, contact and attachments: a test app on SQLite and
PostgreSQL with the small site of tests/site_data.py indexed into its real search engine,
and a few users."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.core.config import Settings
from tests.review.conftest import actor, make_user
from tests.review.web import sign_in
from tests.site_data import build_site

BASE = "http://barnratt.example.se"  # http: the test client sends no secure cookies


@pytest.fixture
def app_settings(db_url, tmp_path):
    return Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "data", ENV="development", RUN_INDEXER=False,
                    BASE_URL=BASE, UPLOAD_MAX_BYTES=64 * 1024, CONTACT_RATE_LIMIT_PER_HOUR=3)


@pytest.fixture
def site(client, session):
    return build_site(session, client.app.state.search)


@dataclass
class People:
    anna: object      # contributor, Umeå kommun
    bo: object        # contributor, Region Skåne
    editor: object    # county editor of 24


@pytest.fixture
def people(session) -> People:
    return People(
        anna=actor(session, make_user(session, email="anna@umea.se", role="contributor", organisation="Umeå kommun")),
        bo=actor(session, make_user(session, email="bo@skane.se", role="contributor", organisation="Region Skåne")),
        editor=actor(session, make_user(session, email="eva@lst.se", role="editor", county="24",
                                        organisation="Länsstyrelsen Västerbotten")),
    )


@pytest.fixture
def as_anna(client, session, people, app_settings):
    sign_in(client, session, people.anna.user, app_settings)
    return people.anna
