"""Migrations are the only way the schema changes; they and the models agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401
from app.core.db import make_engine
from app.core.migrate import alembic_config, upgrade_to_head
from app.services.reference import load_reference_data


def test_empty_database_upgrades_to_head_and_models_match(backend, fresh_db):
    engine = make_engine(fresh_db.url(backend))
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        upgrade_to_head(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert context.get_current_revision() == head
            diff = compare_metadata(context, SQLModel.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        # Running again is a no-op, and so is loading reference data twice.
        upgrade_to_head(engine)
        with Session(engine) as session:
            first = load_reference_data(session)
            session.commit()
            second = load_reference_data(session)
            session.commit()
        assert first["article"] == 54 and first["municipality"] == 290
        assert set(second.values()) == {0}
    finally:
        engine.dispose()
