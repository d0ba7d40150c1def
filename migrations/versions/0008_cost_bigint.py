"""Costs in kronor are 64-bit: the contract allows up to 10 billion SEK, past PostgreSQL's
INTEGER.

Revision ID: 0008_cost_bigint
Revises: 0007_reuse_organisation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_cost_bigint"
down_revision: str | None = "0007_reuse_organisation"
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    # SQLite's INTEGER is already 64 bits, and rebuilding "example" there would trip over
    # the foreign keys that point at it.
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        return
    for table in ("example", "submission"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("cost_sek", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=True)


def downgrade() -> None:
    if _sqlite():
        return
    for table in ("example", "submission"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("cost_sek", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=True)
