"""organisations as entities: users, submissions and examples link to them by id

Creates ``organisation`` and ``organisation_unmatched``; adds ``user.organisation_id``,
``submission.organisation_id``, ``example.organisation_id`` and ``example.author_id``; moves
the free-text organisation names into organisations and drops ``user.organisation_name``
and ``submission.organisation``.

Data: organisations are made from the examples' and submissions' own organisation fields
(name, type, county, municipality). Then every free-text name is matched by its exact
(trimmed) name within its county: examples and submissions also by municipality, users by
their county (editors) or else by the county of the submissions they wrote. What cannot be
matched (no organisation of that name in the county, several, no county to look in) is
logged and written to ``organisation_unmatched``; ``barnratt organisations unmatched``
lists it until an admin links the row.

Revision ID: 0003_organisations
Revises: 0002_review
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0003_organisations"
down_revision: str | None = "0002_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("barnratt.migrations")

ORGANISATION_TYPES = {"kommun", "region", "lansstyrelse", "statlig-myndighet", "civilsamhalle", "naringsliv",
                      "akademi", "annan"}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


# SQLite cannot rebuild "user", "submission" or "example" (batch mode) while other tables'
# rows refer to them and foreign keys are enforced, so there the columns are added and
# dropped with SQLite's own ALTER TABLE (ADD COLUMN ... REFERENCES, DROP COLUMN: 3.35+).

def _add_reference(table: str, column: str, target: str) -> None:
    if _sqlite():
        existing = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
        if column not in existing:  # (left behind, empty, by a SQLite downgrade)
            op.execute(f'ALTER TABLE "{table}" ADD COLUMN {column} INTEGER REFERENCES "{target}" (id)')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(f"fk_{table}_{column}", table, target, [column], ["id"])
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _drop_column(table: str, column: str) -> None:
    if _sqlite():
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
    else:
        op.drop_column(table, column)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("org_number", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["county_code"], ["county.code"]),
        sa.ForeignKeyConstraint(["municipality_code"], ["municipality.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_number"),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_county_code"), ["county_code"], unique=False)

    op.create_table(
        "organisation_unmatched",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisation_unmatched", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_unmatched_row_id"), ["row_id"], unique=False)

    _add_reference("user", "organisation_id", "organisation")
    _add_reference("submission", "organisation_id", "organisation")
    _add_reference("example", "author_id", "user")
    _add_reference("example", "organisation_id", "organisation")

    migrate_data(op.get_bind())

    op.drop_index(op.f("ix_submission_organisation"), table_name="submission")
    _drop_column("submission", "organisation")
    _drop_column("user", "organisation_name")


# ---- Data ----------------------------------------------------------------------------------

def _clean(value) -> str:
    return (value or "").strip()


def migrate_data(conn) -> list[dict]:
    """Create organisations from the existing rows and link every row that matches; return
    (and log, and store) what could not be matched."""
    now = datetime.now(timezone.utc)
    meta = sa.MetaData()
    organisation = sa.Table("organisation", meta, autoload_with=conn)
    unmatched_table = sa.Table("organisation_unmatched", meta, autoload_with=conn)
    user = sa.Table("user", meta, autoload_with=conn)
    submission = sa.Table("submission", meta, autoload_with=conn)
    example = sa.Table("example", meta, autoload_with=conn)
    example_version = sa.Table("example_version", meta, autoload_with=conn)
    counties = {row[0] for row in conn.execute(sa.text("SELECT code FROM county"))}
    municipalities = dict(conn.execute(sa.text("SELECT code, county_code FROM municipality")).all())

    examples = conn.execute(sa.select(example.c.id, example.c.organisation_name, example.c.organisation_type,
                                      example.c.county_code, example.c.municipality_code)).all()
    submissions = conn.execute(sa.select(
        submission.c.id, submission.c.organisation_name, submission.c.organisation_type, submission.c.county_code,
        submission.c.municipality_code, submission.c.organisation, submission.c.author_id, submission.c.kind,
        submission.c.example_id, submission.c.status,
    )).all()
    users = conn.execute(sa.select(user.c.id, user.c.organisation_name, user.c.county_code)).all()

    # 1. Organisations: one per (name, county, municipality) named by an example or a
    #    submission with a valid county and type. Type: the most common one given.
    types: dict[tuple[str, str, str | None], Counter] = defaultdict(Counter)
    for row in [*examples, *submissions]:
        name, county = _clean(row.organisation_name), row.county_code
        municipality = row.municipality_code if municipalities.get(row.municipality_code) == county else None
        if len(name) >= 2 and county in counties and row.organisation_type in ORGANISATION_TYPES:
            types[(name, county, municipality)][row.organisation_type] += 1
    ids: dict[tuple[str, str, str | None], int] = {}
    for (name, county, municipality), counter in sorted(types.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2] or "")):
        result = conn.execute(organisation.insert().values(
            name=name[:200], type=counter.most_common(1)[0][0], county_code=county, municipality_code=municipality,
            org_number=None, created_at=now, updated_at=now,
        ))
        ids[(name, county, municipality)] = result.inserted_primary_key[0]
    by_county: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (name, county, _municipality), org_id in ids.items():
        by_county[(name, county)].append(org_id)

    unmatched: list[dict] = []

    def report(kind: str, row_id: int, name: str, county: str | None, reason: str) -> None:
        unmatched.append({"kind": kind, "row_id": row_id, "name": name[:200], "county_code": county,
                          "reason": reason, "created_at": now})

    def match(name: str, county: str | None, municipality: str | None) -> tuple[int | None, str]:
        if not county:
            return None, "no county to look in"
        exact = ids.get((name, county, municipality if municipalities.get(municipality) == county else None))
        if exact is not None:
            return exact, ""
        candidates = by_county.get((name, county), [])
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, f"no organisation named '{name}' in county {county}"
        return None, f"{len(candidates)} organisations named '{name}' in county {county}"

    # 2. Users: by name within their county, or else within the county of their submissions.
    user_org: dict[int, int] = {}
    authored_counties: dict[int, set[str]] = defaultdict(set)
    for row in submissions:
        if row.author_id is not None and row.county_code in counties:
            authored_counties[row.author_id].add(row.county_code)
    for row in users:
        name = _clean(row.organisation_name)
        if not name:
            continue
        if row.county_code:
            org_id, reason = match(name, row.county_code, None)
            county = row.county_code
        else:
            found = {c: match(name, c, None) for c in sorted(authored_counties.get(row.id, ()))}
            hits = {org for org, _reason in found.values() if org is not None}
            county = ",".join(found) or None
            if len(hits) == 1:
                org_id, reason = hits.pop(), ""
            elif hits:
                org_id, reason = None, f"organisations named '{name}' in several counties ({county})"
            elif found:
                org_id, reason = None, "; ".join(r for _o, r in found.values())
            else:
                org_id, reason = None, "no county to look in (not an editor, no submissions)"
        if org_id is None:
            report("user", row.id, name, county, reason)
            continue
        user_org[row.id] = org_id
        conn.execute(user.update().where(user.c.id == row.id).values(organisation_id=org_id))

    # 3. Submissions: the owning organisation is the author's when the owner name is the
    #    author's; otherwise the owner name within the submission's county.
    user_names = {row.id: _clean(row.organisation_name).casefold() for row in users}
    submission_org: dict[int, int] = {}
    for row in submissions:
        owner = _clean(row.organisation)
        if not owner:
            continue
        org_id = None
        if row.author_id in user_org and user_names.get(row.author_id) == owner.casefold():
            org_id = user_org[row.author_id]
        else:
            org_id, reason = match(owner, row.county_code, row.municipality_code)
            if org_id is None:
                report("submission", row.id, owner, row.county_code, reason)
                continue
        submission_org[row.id] = org_id
        conn.execute(submission.update().where(submission.c.id == row.id).values(organisation_id=org_id))

    # 4. Examples: author and organisation of the submission that published them; without
    #    one (imported), the organisation named in the example within its county.
    publishing: dict[int, int] = {}
    for row in conn.execute(sa.select(example_version.c.example_id, example_version.c.submission_id)
                            .where(example_version.c.version == 1)).all():
        if row.submission_id is not None:
            publishing[row.example_id] = row.submission_id
    by_id = {row.id: row for row in submissions}
    for row in examples:
        sub = by_id.get(publishing.get(row.id))
        if sub is None:
            sub = next((s for s in submissions if s.example_id == row.id and s.kind == "new" and s.status == "published"), None)
        author_id = sub.author_id if sub is not None else None
        org_id = submission_org.get(sub.id) if sub is not None else None
        if org_id is None:
            org_id, reason = match(_clean(row.organisation_name), row.county_code, row.municipality_code)
            if org_id is None:
                report("example", row.id, _clean(row.organisation_name), row.county_code, reason)
        if author_id is not None or org_id is not None:
            conn.execute(example.update().where(example.c.id == row.id)
                         .values(author_id=author_id, organisation_id=org_id))

    for item in unmatched:
        log.warning("organisation not matched: %s %s '%s' (county %s): %s", item["kind"], item["row_id"],
                    item["name"], item["county_code"] or "–", item["reason"])
    if unmatched:
        conn.execute(unmatched_table.insert(), unmatched)
    log.info("organisations: %d created, %d row(s) not matched (barnratt organisations unmatched)",
             len(ids), len(unmatched))
    return unmatched


def downgrade() -> None:
    op.add_column("user", sa.Column("organisation_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.add_column("submission", sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.create_index(op.f("ix_submission_organisation"), "submission", ["organisation"], unique=False)
    conn = op.get_bind()
    conn.execute(sa.text(
        'UPDATE "user" SET organisation_name = (SELECT name FROM organisation WHERE organisation.id = "user".organisation_id)'
    ))
    conn.execute(sa.text(
        "UPDATE submission SET organisation = (SELECT name FROM organisation WHERE organisation.id = submission.organisation_id)"
    ))
    for table, column in (("example", "organisation_id"), ("example", "author_id"), ("submission", "organisation_id"),
                          ("user", "organisation_id")):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        if _sqlite():
            # SQLite cannot drop a column with a REFERENCES clause, and a rebuild of these
            # tables would trip the enforced foreign keys: the column is emptied and stays
            # (an upgrade reuses it).
            conn.execute(sa.text(f'UPDATE "{table}" SET {column} = NULL'))
        else:
            op.drop_constraint(f"fk_{table}_{column}", table, type_="foreignkey")
            op.drop_column(table, column)
    op.drop_table("organisation_unmatched")
    op.drop_table("organisation")
