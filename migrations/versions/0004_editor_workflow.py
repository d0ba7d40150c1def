"""editor workflow: review rounds and views, assignment and due dates, reminders, county
review settings, re-review dates; two automatic criteria (children's participation and
results described)

Revision ID: 0004_editor_workflow
Revises: 0002_review
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0004_editor_workflow"
down_revision: str | None = "0003_organisations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# New automatic criteria, placed after "method_described" (position 1); the criteria after
# it move down by two. Keys are stable; the admin edits titles and guidance afterwards.
# (position, key, title_sv, title_en, guidance_sv, guidance_en)
NEW_CRITERIA = [
    (2, "participation_described", "Barns delaktighet beskriven", "Children's participation described",
     "Hur barn var delaktiga beskrivs med minst 150 tecken: hur deras åsikter inhämtades, av vilka barn, "
     "och vad som blev annorlunda av det.",
     "How children took part is described in at least 150 characters: how their views were gathered, "
     "from which children, and what was different because of them."),
    (3, "results_described", "Resultat beskrivna", "Results described",
     "Resultaten beskrivs med minst 100 tecken: vad som förändrades och hur ni vet det.",
     "The results are described in at least 100 characters: what changed and how you know."),
]
SHIFT_FROM = 2


def _criterion_table():
    return sa.table(
        "criterion",
        sa.column("key", sa.String), sa.column("kind", sa.String), sa.column("position", sa.Integer),
        sa.column("article", sa.Integer), sa.column("title_sv", sa.String), sa.column("title_en", sa.String),
        sa.column("guidance_sv", sa.Text), sa.column("guidance_en", sa.Text),
    )


def upgrade() -> None:
    op.create_table(
        "county_review_settings",
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("review_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["county_code"], ["county.code"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("county_code"),
    )
    op.create_table(
        "example_review",
        sa.Column("example_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["example_id"], ["example.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("example_id"),
    )
    with op.batch_alter_table("example_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_example_review_due_on"), ["due_on"], unique=False)

    op.create_table(
        "review_assignment",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_assignment_assignee_id"), ["assignee_id"], unique=False)

    op.create_table(
        "review_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "sent_on"),
    )
    with op.batch_alter_table("review_reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_reminder_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "review_view",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("submission_id", "user_id", "round"),
    )
    op.create_table(
        "submission_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "number"),
    )
    with op.batch_alter_table("submission_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_round_submission_id"), ["submission_id"], unique=False)

    criterion = _criterion_table()
    op.execute(criterion.update().where(criterion.c.position >= SHIFT_FROM)
               .values(position=criterion.c.position + len(NEW_CRITERIA)))
    op.bulk_insert(criterion, [
        {"kind": "automatic", "key": key, "position": position, "article": None, "title_sv": title_sv,
         "title_en": title_en, "guidance_sv": guidance_sv, "guidance_en": guidance_en}
        for position, key, title_sv, title_en, guidance_sv, guidance_en in NEW_CRITERIA
    ])


def downgrade() -> None:
    criterion = _criterion_table()
    op.execute(criterion.delete().where(criterion.c.key.in_([row[1] for row in NEW_CRITERIA])))
    op.execute(criterion.update().where(criterion.c.position >= SHIFT_FROM + len(NEW_CRITERIA))
               .values(position=criterion.c.position - len(NEW_CRITERIA)))
    with op.batch_alter_table("submission_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_round_submission_id"))
    op.drop_table("submission_round")
    op.drop_table("review_view")
    with op.batch_alter_table("review_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_reminder_submission_id"))
    op.drop_table("review_reminder")
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignment_assignee_id"))
    op.drop_table("review_assignment")
    with op.batch_alter_table("example_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_example_review_due_on"))
    op.drop_table("example_review")
    op.drop_table("county_review_settings")
