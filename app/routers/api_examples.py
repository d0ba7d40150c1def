"""Public JSON API (/api/v1): search, example detail, taxonomies, statistics, export.

Search parameters are parsed by ``app.services.search_params`` and results built by
``app.services.browse`` — the same code the search page uses.
"""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.core.errors import FieldError, InputError
from app.core.time import as_utc, utcnow
from app.services.browse import search_examples
from app.services.demo import is_demo
from app.services.example_view import etag, example_json, load_published, parse_id
from app.services.reuse import published_reports, report_public, reuse_api
from app.services.search_params import openapi_parameters, parse_search_params
from app.services.statistics import coverage
from app.services.taxonomy import taxonomy_for
from app.services.transfer import iter_export, iter_reuse_export, matching_ids
from app.web.asgi import FastJSONResponse
from app.web.deps import SessionDep, base_url
from app.web.openapi import errors

router = APIRouter(prefix="/api/v1", tags=["examples"])

CACHE_SEARCH = "public, max-age=60"
CACHE_DETAIL = "public, max-age=300"
CACHE_REFERENCE = "public, max-age=3600"
VARY_LANGUAGE = "Accept-Language, Cookie"

ERROR_RESPONSES = errors(422, 429, _422="A parameter is invalid; `error.fields` names it.")


def request_lang(request: Request) -> str:
    return getattr(request.state, "lang", "sv")


@router.get(
    "/examples",
    summary="Search published examples",
    description=(
        "Full-text search with filters and facet counts. Repeatable filters combine with OR within one "
        "parameter and AND across parameters; facet counts are disjunctive (each facet's counts ignore "
        "its own filter). Labels follow the request's language (`?lang=en` or `Accept-Language`)."
    ),
    openapi_extra={"parameters": openapi_parameters()},
    responses=ERROR_RESPONSES,
)
def search(request: Request, session: SessionDep) -> JSONResponse:
    taxonomy = taxonomy_for(request.app.state, session)
    params = parse_search_params(request.query_params.multi_items(), taxonomy)
    page = search_examples(
        session, request.app.state.search, taxonomy, params,
        lang=request_lang(request), base_url=base_url(request),
    )
    return FastJSONResponse(page.as_api(), headers={"Cache-Control": CACHE_SEARCH, "Vary": VARY_LANGUAGE})


def _not_modified(request: Request, tag: str, modified) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        candidates = {t.strip().removeprefix("W/") for t in match.split(",")}
        return tag in candidates or "*" in candidates
    since = request.headers.get("if-modified-since")
    if since and modified is not None:
        try:
            return as_utc(modified).replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


@router.get(
    "/examples/{example_id}",
    summary="One published example",
    description="Every field, the quality profile and the version. Conditional requests (`If-None-Match`, "
    "`If-Modified-Since`) answer 304.",
    responses={304: {"description": "Not modified."}, **errors(404, 422, 429, _404="Unknown or not published.")},
)
def detail(example_id: str, request: Request, session: SessionDep) -> Response:
    number = parse_id(example_id)
    if number is None:
        raise InputError([FieldError("example_id", "must be a positive whole number")])
    example = load_published(session, number)
    lang = request_lang(request)
    reports = published_reports(session, example_id=example.id)
    latest = max((as_utc(r.published_at) for r in reports if r.published_at), default=None)
    tag = etag(example, f"{lang}:{len(reports)}:{latest.isoformat() if latest else ''}")
    modified = max(as_utc(example.updated_at), latest) if latest else example.updated_at
    headers = {
        "ETag": tag,
        "Last-Modified": format_datetime(as_utc(modified), usegmt=True),
        "Cache-Control": CACHE_DETAIL,
        "Vary": VARY_LANGUAGE,
    }
    if _not_modified(request, tag, modified):
        return Response(status_code=304, headers=headers)
    body = example_json(example, lang=lang, base_url=base_url(request))
    body["demo"] = is_demo(session, example.id)
    body["reuse"] = reuse_api(session, example_id=example.id, base_url=base_url(request))
    body["reuse_count"] = body["reuse"]["reuse_count"]
    return JSONResponse(body, headers=headers)


@router.get(
    "/examples/{example_id}/reuse",
    summary="Reviewed reuse reports of one example (\"Vi har också provat\")",
    description="Every published report that another organisation reused the example: when, what they adapted, "
    "the effort in hours, the outcome (`better`, `as_expected`, `worse`, `too_early`), a short lesson and the "
    "county editor's checklist result. Newest use first.",
    responses={**ERROR_RESPONSES, **errors(404, 422, 429, _404="Unknown or not published.")},
)
def reuse_list(example_id: str, request: Request, session: SessionDep) -> JSONResponse:
    number = parse_id(example_id)
    if number is None:
        raise InputError([FieldError("example_id", "must be a positive whole number")])
    example = load_published(session, number)
    base = base_url(request)
    items = [report_public(r, base_url=base) for r in published_reports(session, example_id=example.id)]
    body = {**reuse_api(session, example_id=example.id, base_url=base), "example_id": example.id, "items": items}
    return JSONResponse(body, headers={"Cache-Control": CACHE_SEARCH})


@router.get("/taxonomies", summary="Reference vocabularies", responses=errors(429),
            description="Articles, sectors, target groups, age groups, organisation types, counties (with "
            "network node) and municipalities, each with its code or slug and Swedish and English labels.")
def taxonomies(request: Request, session: SessionDep) -> JSONResponse:
    t = taxonomy_for(request.app.state, session)

    def labelled(facet: str, key: str) -> list[dict]:
        return [{key: term.value, "label_sv": term.label_sv, "label_en": term.label_en}
                for term in t.terms(facet).values()]

    body = {
        "articles": [
            {"number": term.value, "title_sv": term.label_sv, "title_en": term.label_en,
             "general_principle": bool(term.get("general_principle"))}
            for term in t.terms("article").values()
        ],
        "sectors": labelled("sector", "slug"),
        "target_groups": labelled("target_group", "slug"),
        "age_groups": labelled("age_group", "slug"),
        "organisation_types": labelled("organisation_type", "slug"),
        "counties": [
            {"code": term.value, "name": term.label_sv, "short_name": term.get("short_name"),
             "network_node": term.get("network_node")}
            for term in t.terms("county").values()
        ],
        "municipalities": [
            {"code": term.value, "name": term.label_sv, "county_code": term.get("county_code")}
            for term in t.terms("municipality").values()
        ],
        "effort_bands": labelled("effort", "value"),
        "duration_bands": labelled("duration", "value"),
    }
    return JSONResponse(body, headers={"Cache-Control": CACHE_REFERENCE})


@router.get("/statistics", summary="Coverage per article, sector and county", responses=errors(429),
            description="Published examples per article, sector and county, including those with none.")
def statistics(request: Request, session: SessionDep) -> JSONResponse:
    data = coverage(session, taxonomy_for(request.app.state, session), lang=request_lang(request))
    return JSONResponse(data.as_api(), headers={"Cache-Control": CACHE_SEARCH, "Vary": VARY_LANGUAGE})


@router.get("/export", summary="The whole published dataset (open data)",
            description="Streamed in the import format: JSON Lines (one example per line) or CSV (list fields "
            "joined by `;`, links as `title|url`). Accepts the search parameters of `/api/v1/examples` (`q`, "
            "`article`, `county`, `reused`, ...) to export only the matching examples; `dataset=reuse` exports "
            "their reviewed reuse reports instead.",
            openapi_extra={"parameters": [p for p in openapi_parameters()
                                          if p["name"] not in ("sort", "page", "per_page")]},
            response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}, **ERROR_RESPONSES})
def export(
    request: Request,
    session: SessionDep,
    format: Annotated[Literal["jsonl", "csv"], Query(description="jsonl or csv")] = "jsonl",
    dataset: Annotated[Literal["examples", "reuse"], Query(
        description="examples (the import format) or reuse: the reviewed reuse reports of the examples")] = "examples",
) -> StreamingResponse:
    taxonomy = taxonomy_for(request.app.state, session)
    params = parse_search_params(request.query_params.multi_items(), taxonomy)
    ids = None
    if params.has_text or params.has_filters:
        ids = matching_ids(request.app.state.search, params)
    media = "application/x-ndjson; charset=utf-8" if format == "jsonl" else "text/csv; charset=utf-8"
    stamp = utcnow().strftime("%Y%m%d")
    if dataset == "reuse":
        return StreamingResponse(
            iter_reuse_export(session, format, ids=ids, base_url=base_url(request)),
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="barnrattsbanken-provat-{stamp}.{format}"',
                     "Cache-Control": CACHE_SEARCH},
        )
    return StreamingResponse(
        iter_export(session, format, ids=ids, public=True),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="barnrattsbanken-{stamp}.{format}"',
            "Cache-Control": CACHE_REFERENCE,
        },
    )
