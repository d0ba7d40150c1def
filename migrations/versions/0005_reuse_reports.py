"""reuse reports ("Vi har också provat") and the demo-content marker

Revision ID: 0005_reuse_reports
Revises: 0002_review
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0005_reuse_reports"
down_revision: str | None = "0004_editor_workflow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reuse_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("example_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("organisation_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("used_year", sa.Integer(), nullable=False),
        sa.Column("used_month", sa.Integer(), nullable=True),
        sa.Column("adaptations", sa.Text(), nullable=False),
        sa.Column("effort_hours", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("lesson", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["county_code"], ["county.code"]),
        sa.ForeignKeyConstraint(["example_id"], ["example.id"]),
        sa.ForeignKeyConstraint(["municipality_code"], ["municipality.code"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reuse_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reuse_report_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reuse_report_county_code"), ["county_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_reuse_report_example_id"), ["example_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reuse_report_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reuse_report_status"), ["status"], unique=False)
    op.create_table(
        "demo_content",
        sa.Column("example_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["example_id"], ["example.id"]),
        sa.PrimaryKeyConstraint("example_id"),
    )


def downgrade() -> None:
    op.drop_table("demo_content")
    with op.batch_alter_table("reuse_report", schema=None) as batch_op:
        for name in ("status", "published_at", "example_id", "county_code", "author_id"):
            batch_op.drop_index(batch_op.f(f"ix_reuse_report_{name}"))
    op.drop_table("reuse_report")
