"""API documentation for partners.

* ``/docs``: docs/api.md (the partner guide with curl examples, also in the repository),
  rendered as an accessible page of the site.
* ``/docs/swagger``: the interactive console, Swagger UI from the npm package
  swagger-ui-dist, served by the app itself (FastAPI's default page loads it from a CDN).
  It is a third-party tool and not held to the site's accessibility checks; ``/docs`` is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import nh3
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from markdown_it import MarkdownIt
from markupsafe import Markup
from slugify import slugify

from app.core.markdown import ALLOWED_TAGS
from app.web.templating import render

router = APIRouter(include_in_schema=False)
API_GUIDE = Path(__file__).resolve().parent.parent.parent / "docs" / "api.md"
_md = MarkdownIt("commonmark", {"html": False}).enable("table")
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)


def _slug(text: str) -> str:
    return slugify(re.sub(r"<[^>]+>", "", text)) or "section"


@lru_cache
def api_guide_html(mtime: float) -> Markup:
    """docs/api.md as sanitised HTML, headings with ids for in-page links."""
    html = _md.render(API_GUIDE.read_text(encoding="utf-8"))
    clean = nh3.clean(html, tags=ALLOWED_TAGS | {"h1", "h2"}, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(_HEADING.sub(lambda m: f'<h{m.group(1)} id="{_slug(m.group(2))}">{m.group(2)}</h{m.group(1)}>', clean))


@router.api_route("/docs", methods=["GET", "HEAD"])
def docs(request: Request) -> Response:
    guide = api_guide_html(API_GUIDE.stat().st_mtime) if API_GUIDE.exists() else None
    return render(request, "api_docs.html", {"guide": guide, "nav": "api"})


@router.api_route("/docs/swagger", methods=["GET", "HEAD"])
def swagger(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title="Barnrättsbanken API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
    )
