"""Reuse reports belong to an organisation by id (sharing follows ids, never names).

Existing reports are linked to their author's organisation.

Revision ID: 0007_reuse_organisation
Revises: 0006_plans_alerts_files
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007_reuse_organisation"
down_revision: str | None = "0006_plans_alerts_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reuse_report") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_index("ix_reuse_report_organisation_id", ["organisation_id"])
        batch.create_foreign_key("fk_reuse_report_organisation", "organisation", ["organisation_id"], ["id"])
    op.execute(
        'UPDATE reuse_report SET organisation_id = '
        '(SELECT "user".organisation_id FROM "user" WHERE "user".id = reuse_report.author_id)'
    )


def downgrade() -> None:
    with op.batch_alter_table("reuse_report") as batch:
        batch.drop_constraint("fk_reuse_report_organisation", type_="foreignkey")
        batch.drop_index("ix_reuse_report_organisation_id")
        batch.drop_column("organisation_id")
