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
from app.services.example_view import etag, example_json, load_published, parse_id
from app.services.search_params import openapi_parameters, parse_search_params
from app.services.statistics import coverage
from app.services.taxonomy import taxonomy_for
from app.services.transfer import iter_export
from app.web.deps import SessionDep
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
        lang=request_lang(request), base_url=request.app.state.settings.BASE_URL,
    )
    return JSONResponse(page.as_api(), headers={"Cache-Control": CACHE_SEARCH, "Vary": VARY_LANGUAGE})


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
    tag = etag(example, lang)
    modified = example.updated_at
    headers = {
        "ETag": tag,
        "Last-Modified": format_datetime(as_utc(modified), usegmt=True),
        "Cache-Control": CACHE_DETAIL,
        "Vary": VARY_LANGUAGE,
    }
    if _not_modified(request, tag, modified):
        return Response(status_code=304, headers=headers)
    return JSONResponse(example_json(example, lang=lang, base_url=request.app.state.settings.BASE_URL),
                        headers=headers)


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
            "joined by `;`, links as `title|url`).",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}, **ERROR_RESPONSES})
def export(
    session: SessionDep,
    format: Annotated[Literal["jsonl", "csv"], Query(description="jsonl or csv")] = "jsonl",
) -> StreamingResponse:
    media = "application/x-ndjson; charset=utf-8" if format == "jsonl" else "text/csv; charset=utf-8"
    stamp = utcnow().strftime("%Y%m%d")
    return StreamingResponse(
        iter_export(session, format),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="barnrattsbanken-{stamp}.{format}"',
            "Cache-Control": CACHE_REFERENCE,
        },
    )
