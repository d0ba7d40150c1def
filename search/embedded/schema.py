"""tantivy schema of the embedded engine and conversion of built documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tantivy

from search.documents import MARKDOWN_FIELDS
from search.embedded.analysis import FOLD_ANALYZER, TEXT_ANALYZER, build_fold_analyzer, build_text_analyzer
from search.query import FACETS

#: Bump when the schema or analysis changes: configure() then starts a fresh
#: (empty) index generation and the app must rebuild.
SCHEMA_VERSION = 1

#: Searchable text fields and their attribute rank (title > summary > body > parts),
#: mirroring Meilisearch's searchableAttributes order.
RANKED_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0),
    ("summary", 2.0),
    ("body", 1.0),
    ("parts", 0.0),
)
#: Every searchable token lands in ``all`` (stemmed) and ``all_raw`` (folded,
#: unstemmed) too: matching and counting use these (cheap); ranking uses the
#: per-field ones. ``title_raw`` lets prefix/typo matches in titles rank higher.
ALL_FIELD = "all"
ALL_RAW_FIELD = "all_raw"
TITLE_RAW_FIELD = "title_raw"

#: facet name -> tantivy field (raw-tokenized, fast, multi-valued strings)
FACET_FIELDS: dict[str, str] = {f.name: f"f_{f.name}" for f in FACETS}
INT_FIELDS = ("start_year", "active_until", "effort_hours", "duration_months")
SORT_FIELDS = {"newest": "k_newest", "effort_asc": "k_effort", "duration_asc": "k_duration"}

ID_BITS = 30  # ids must be < 2**30 to fit the composite sort keys


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("slug", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title", stored=True, tokenizer_name=TEXT_ANALYZER)
    sb.add_text_field("summary", stored=True, tokenizer_name=TEXT_ANALYZER)
    for name in ("body", "parts", ALL_FIELD):
        sb.add_text_field(name, stored=False, tokenizer_name=TEXT_ANALYZER)
    for name in (TITLE_RAW_FIELD, ALL_RAW_FIELD):
        sb.add_text_field(name, stored=False, tokenizer_name=FOLD_ANALYZER, index_option="freq")
    for field in FACET_FIELDS.values():
        sb.add_text_field(field, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for field in INT_FIELDS:
        sb.add_integer_field(field, stored=False, indexed=True, fast=True)
    for field in SORT_FIELDS.values():
        sb.add_unsigned_field(field, stored=False, indexed=False, fast=True)
    return sb.build()


def register_tokenizers(index: tantivy.Index) -> None:
    index.register_tokenizer(TEXT_ANALYZER, build_text_analyzer())
    index.register_tokenizer(FOLD_ANALYZER, build_fold_analyzer())


def to_tantivy(doc: Mapping[str, Any]) -> tantivy.Document:
    """tantivy document for one ``build_document`` result."""
    doc_id = int(doc["id"])
    if not 0 < doc_id < 2**ID_BITS:
        raise ValueError(f"document id out of range: {doc_id}")
    d = tantivy.Document()
    d.add_integer("id", doc_id)
    d.add_text("slug", doc.get("slug") or "")
    title, summary = doc.get("title") or "", doc.get("summary") or ""
    body = "\n".join(
        [*(doc.get(f) or "" for f in MARKDOWN_FIELDS), doc.get("organisation_name") or ""]
    )
    parts = doc.get("compound_parts") or ""
    d.add_text("title", title)
    d.add_text("summary", summary)
    d.add_text("body", body)
    d.add_text("parts", parts)
    d.add_text(TITLE_RAW_FIELD, title)
    for value in (title, summary, body, parts):
        d.add_text(ALL_FIELD, value)
        d.add_text(ALL_RAW_FIELD, value)
    for spec in FACETS:
        raw = doc.get(spec.doc_field)
        values = raw if isinstance(raw, list) else ([] if raw is None else [raw])
        for v in values:
            d.add_text(FACET_FIELDS[spec.name], str(v))
    for field in INT_FIELDS:
        if doc.get(field) is not None:
            d.add_integer(field, int(doc[field]))
    ts = max(0, int(doc["published_ts"]))
    d.add_unsigned(SORT_FIELDS["newest"], (ts << ID_BITS) | (2**ID_BITS - 1 - doc_id))
    d.add_unsigned(SORT_FIELDS["effort_asc"], (int(doc["effort_sort"]) << 32) | doc_id)
    d.add_unsigned(SORT_FIELDS["duration_asc"], (int(doc["duration_sort"]) << 32) | doc_id)
    return d
