"""One published example, computed once for its page, its JSON, its embed card and oEmbed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.core.db import MAX_ID
from app.core.i18n import gettext
from app.core.time import as_utc
from app.models import Example
from app.services.browse import load_items
from app.services.examples import get_published
from app.services.labels import SECTIONS, _l, quality_profile
from app.services.search_params import SearchParams
from app.services.serializers import example_public, permalink
from app.services.taxonomy import Taxonomy
from search import SearchBackend, SearchError, SearchQuery
from search.bands import duration_band, effort_band, is_ongoing

RELATED_LIMIT = 3


def api_url(base_url: str, example_id: int) -> str:
    return f"{base_url.rstrip('/')}/api/v1/examples/{example_id}"


def parse_id(raw: str) -> int | None:
    """A path id: digits only (no sign, no spaces), within the range of the id column."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def etag(example: Example, lang: str) -> str:
    stamp = as_utc(example.updated_at).isoformat() if example.updated_at else ""
    digest = hashlib.sha256(f"{example.id}:{example.version}:{stamp}:{lang}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def example_json(example: Example, *, lang: str, base_url: str) -> dict[str, Any]:
    data = example_public(example, base_url=base_url).model_dump(mode="json")
    data["api_url"] = api_url(base_url, example.id)
    data["quality_profile"] = quality_profile(example.quality, lang)
    return data


@dataclass
class Tag:
    facet: str
    value: Any
    label: str
    url: str


def example_tags(example: Example, taxonomy: Taxonomy, lang: str) -> dict[str, list[Tag]]:
    """Every tag of the example, each linking to the search filtered by it."""

    def tag(facet: str, value: Any) -> Tag:
        label = taxonomy.label(facet, value, lang)
        if facet == "article":
            label = f"{value}. {label}"
        return Tag(facet, value, label, SearchParams(filters={facet: (value,)}).url("/"))

    tags: dict[str, list[Tag]] = {
        "article": [tag("article", a) for a in example.articles],
        "sector": [tag("sector", s) for s in example.sectors],
        "target_group": [tag("target_group", t) for t in example.target_groups],
        "age_group": [tag("age_group", a) for a in example.age_groups],
        "organisation_type": [tag("organisation_type", example.organisation_type)],
        "county": [tag("county", example.county_code)],
    }
    if example.municipality_code:
        tags["municipality"] = [tag("municipality", example.municipality_code)]
    band = effort_band(example.effort_hours)
    if band:
        tags["effort"] = [tag("effort", band)]
    band = duration_band(example.duration_months, ongoing=is_ongoing(example.start_year, example.end_year))
    if band:
        tags["duration"] = [tag("duration", band)]
    return tags


def sections(example: Example, lang: str) -> list[dict[str, str]]:
    """The non-empty text sections, always in the same order."""
    return [
        {"field": name, "title": gettext(lang, title), "text": getattr(example, name)}
        for name, title in SECTIONS
        if (getattr(example, name) or "").strip()
    ]


def related_examples(session: Session, backend: SearchBackend, example: Example, *, base_url: str,
                     limit: int = RELATED_LIMIT) -> list[dict[str, Any]]:
    """Examples sharing articles and sectors, most overlap first (the engine finds the
    candidates, so this stays cheap with many examples). Empty if search is down."""
    attempts = [
        {"articles": example.articles, "sectors": example.sectors},
        {"sectors": example.sectors},
        {"articles": example.articles},
    ]
    candidates: dict[int, dict[str, Any]] = {}
    try:
        for filters in attempts:
            query = SearchQuery(**{k: v for k, v in filters.items() if v}, sort="newest", per_page=30)
            result = backend.search(query)
            for item in load_items(session, result, base_url=base_url):
                if item["id"] != example.id:
                    candidates.setdefault(item["id"], item)
            if len(candidates) >= limit * 3:
                break
    except SearchError:
        return []

    def overlap(item: dict[str, Any]) -> tuple:
        score = (
            2 * len(set(item["articles"]) & set(example.articles))
            + 2 * len(set(item["sectors"]) & set(example.sectors))
            + len(set(item["target_groups"]) & set(example.target_groups))
            + (1 if item["county_code"] == example.county_code else 0)
        )
        return (-score, item["id"])

    return sorted(candidates.values(), key=overlap)[:limit]


def json_ld(example: Example, taxonomy: Taxonomy, *, base_url: str, lang: str) -> dict[str, Any]:
    """schema.org description of the example (an Article of a knowledge bank)."""
    url = permalink(base_url, example.id)
    place = taxonomy.label("municipality", example.municipality_code, lang) if example.municipality_code else ""
    county = taxonomy.label("county", example.county_code, lang)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": url,
        "url": url,
        "identifier": str(example.id),
        "headline": example.title[:110],
        "name": example.title,
        "description": example.summary,
        "inLanguage": "sv",
        "version": str(example.version),
        "datePublished": as_utc(example.published_at).isoformat() if example.published_at else None,
        "dateModified": as_utc(example.updated_at).isoformat() if example.updated_at else None,
        "author": {"@type": "Organization", "name": example.organisation_name},
        "publisher": {"@type": "Organization", "name": "Barnrättsbanken", "url": base_url.rstrip("/") + "/"},
        "isPartOf": {"@type": "WebSite", "name": "Barnrättsbanken", "url": base_url.rstrip("/") + "/"},
        "spatialCoverage": {"@type": "Place", "name": ", ".join(p for p in (place, county) if p)},
        "about": [
            {"@type": "Thing", "name": f"{gettext(lang, _l('Article'))} {a}: {taxonomy.label('article', a, lang)}"}
            for a in example.articles
        ],
        "keywords": ", ".join(
            [taxonomy.label("sector", s, lang) for s in example.sectors]
            + [taxonomy.label("target_group", t, lang) for t in example.target_groups]
        ),
        "audience": {"@type": "Audience", "audienceType": gettext(lang, _l("Child-rights strategists"))},
    }
    if example.start_year:
        end = example.end_year or ""
        data["temporalCoverage"] = f"{example.start_year}/{end}" if end else f"{example.start_year}/.."
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def load_published(session: Session, example_id: int) -> Example:
    return get_published(session, example_id)
