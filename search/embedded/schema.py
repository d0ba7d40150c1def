"""tantivy schema of the embedded engine and conversion of built documents."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import tantivy

from search.documents import MARKDOWN_FIELDS
from search.embedded.analysis import (
    FOLD_ANALYZER,
    FORMS_ANALYZER,
    PREFIX_ANALYZER,
    TEXT_ANALYZER,
    build_fold_analyzer,
    build_forms_analyzer,
    build_prefix_analyzer,
    build_text_analyzer,
)
from search.query import FACETS
from search.tokens import document_forms, stemmed_text

#: Bump when the schema or analysis changes: configure() then starts a fresh
#: (empty) index generation and the app must rebuild.
SCHEMA_VERSION = 5

#: Searchable text fields and their attribute rank (title > summary > body > parts),
#: mirroring Meilisearch's searchableAttributes order.
RANKED_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0),
    ("summary", 2.0),
    ("body", 1.0),
    ("parts", 0.0),
)
#: Ranked fields that ``to_tantivy`` stems itself (once per distinct token).
PRESTEMMED_FIELDS = ("body", "parts")
#: Every searchable token also lands in ``all_raw`` (folded, unstemmed) for
#: typo/prefix matching; ``title_raw`` lets such matches in titles rank higher.
#: ``all_raw`` and ``prefix``, get their tokens from ``analysis.index_forms`` (per distinct word).
ALL_RAW_FIELD = "all_raw"
TITLE_RAW_FIELD = "title_raw"
#: Prefixes (1..PREFIX_MAX chars) of every distinct word of the document.
PREFIX_FIELD = "prefix"

#: facet name -> tantivy field (raw-tokenized, fast, multi-valued strings):
#: filtering, and counting a single facet.
FACET_FIELDS: dict[str, str] = {f.name: f"f_{f.name}" for f in FACETS}
#: Every (facet, value) pair of a document also lands, encoded as one integer,
#: in ``facet_codes``: counting all facets at once is then one terms
#: aggregation over one column (2-3x faster than nine).
FACET_CODES_FIELD = "facet_codes"
FACET_INDEX: dict[str, int] = {f.name: i for i, f in enumerate(FACETS)}
_CODE_BITS = 40


@lru_cache(maxsize=100_000)
def facet_code(facet: str, value: str) -> int:
    """Integer code of a facet value: facet index | 40-bit hash of the value.
    Codes stay below 2**44, so they survive a round trip through a float."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=5).digest()
    return (FACET_INDEX[facet] << _CODE_BITS) | int.from_bytes(digest, "big")
INT_FIELDS = ("start_year", "active_until", "effort_hours", "duration_months", "reuse_count")
SORT_FIELDS = {"newest": "k_newest", "effort_asc": "k_effort", "duration_asc": "k_duration",
               "reuse_desc": "k_reuse"}

ID_BITS = 30  # ids must be < 2**30 to fit the composite sort keys


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("slug", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title", stored=True, tokenizer_name=TEXT_ANALYZER)
    sb.add_text_field("summary", stored=True, tokenizer_name=TEXT_ANALYZER)
    # body and parts (the bulk of the text) arrive pre-stemmed (search.tokens.stemmed_text):
    # the tokens TEXT_ANALYZER gives, at the same positions, for a fraction of its cost
    for name in PRESTEMMED_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name=FORMS_ANALYZER)
    sb.add_text_field(TITLE_RAW_FIELD, stored=False, tokenizer_name=FOLD_ANALYZER, index_option="freq")
    # token sets computed by analysis.index_forms (sv_fold / sv_prefix tokens)
    sb.add_text_field(ALL_RAW_FIELD, stored=False, tokenizer_name=FORMS_ANALYZER, index_option="basic")
    sb.add_text_field(PREFIX_FIELD, stored=False, tokenizer_name=FORMS_ANALYZER, index_option="basic")
    for field in FACET_FIELDS.values():
        sb.add_text_field(field, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for field in INT_FIELDS:
        sb.add_integer_field(field, stored=False, indexed=True, fast=True)
    for field in SORT_FIELDS.values():
        sb.add_unsigned_field(field, stored=False, indexed=False, fast=True)
    sb.add_unsigned_field(FACET_CODES_FIELD, stored=False, indexed=False, fast=True)
    return sb.build()


def register_tokenizers(index: tantivy.Index) -> None:
    index.register_tokenizer(TEXT_ANALYZER, build_text_analyzer())
    index.register_tokenizer(FOLD_ANALYZER, build_fold_analyzer())
    index.register_tokenizer(PREFIX_ANALYZER, build_prefix_analyzer())
    index.register_tokenizer(FORMS_ANALYZER, build_forms_analyzer())


def to_tantivy(doc: Mapping[str, Any]) -> tantivy.Document:
    """tantivy document for one ``build_document`` result."""
    doc_id = int(doc["id"])
    if not 0 < doc_id < 2**ID_BITS:
        raise ValueError(f"document id out of range: {doc_id}")
    d = tantivy.Document()
    d.add_integer("id", doc_id)
    d.add_text("slug", doc.get("slug") or "")
    title, summary = doc.get("title") or "", doc.get("summary") or ""
    body = [*(doc.get(f) or "" for f in MARKDOWN_FIELDS), doc.get("organisation_name") or "",
            doc.get("tag_labels") or ""]
    # the hidden synonym forms (search.synonyms.synonym_field) rank with the compound parts
    parts = [doc.get("compound_parts") or "", doc.get("synonyms") or ""]
    d.add_text("title", title)
    d.add_text("summary", summary)
    d.add_text("body", stemmed_text(body))
    d.add_text("parts", stemmed_text(parts))
    d.add_text(TITLE_RAW_FIELD, title)
    folded, prefixes = document_forms([t.lower() for t in (title, summary, *body, *parts)])
    d.add_text(ALL_RAW_FIELD, folded)
    d.add_text(PREFIX_FIELD, prefixes)
    for spec in FACETS:
        raw = doc.get(spec.doc_field)
        values = raw if isinstance(raw, list) else ([] if raw is None else [raw])
        for v in values:
            d.add_text(FACET_FIELDS[spec.name], str(v))
            d.add_unsigned(FACET_CODES_FIELD, facet_code(spec.name, str(v)))
    for field in INT_FIELDS:
        if doc.get(field) is not None:
            d.add_integer(field, int(doc[field]))
    ts = max(0, int(doc["published_ts"]))
    d.add_unsigned(SORT_FIELDS["newest"], (ts << ID_BITS) | (2**ID_BITS - 1 - doc_id))
    d.add_unsigned(SORT_FIELDS["effort_asc"], (int(doc["effort_sort"]) << 32) | doc_id)
    d.add_unsigned(SORT_FIELDS["duration_asc"], (int(doc["duration_sort"]) << 32) | doc_id)
    # Sorted descending: more reuse first, then the smaller id (its complement is larger).
    reuse = min(max(0, int(doc.get("reuse_count") or 0)), 2**32 - 1)
    d.add_unsigned(SORT_FIELDS["reuse_desc"], (reuse << ID_BITS) | (2**ID_BITS - 1 - doc_id))
    return d
