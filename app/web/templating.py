"""Jinja2 templates (with jinja2-fragments for HTMX blocks), one environment per language.

``render`` serves one URL as the full page or, when HTMX asks (``HX-Request``), as one
block of it, and always sends ``Vary: HX-Request``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.responses import Response

from app.core.i18n import LANGUAGES, translations
from app.core.markdown import render_markdown

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.filters["markdown"] = render_markdown
    return env


_templates: dict[str, Jinja2Blocks] = {}


def templates_for(lang: str) -> Jinja2Blocks:
    if lang not in _templates:
        _templates[lang] = Jinja2Blocks(env=_environment(lang))
    return _templates[lang]


def add_global(name: str, value: Any) -> None:
    """Make a value or helper available in every language's templates."""
    for lang in LANGUAGES:
        templates_for(lang).env.globals[name] = value


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    lang = getattr(request.state, "lang", "sv")
    templates = templates_for(lang)
    kwargs: dict[str, Any] = {"status_code": status_code}
    if block and is_htmx(request):
        kwargs["block_name"] = block
    response = templates.TemplateResponse(request, name, context or {}, **kwargs)
    vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    for value in ("HX-Request", "Cookie", "Accept-Language"):
        if value not in vary:
            vary.append(value)
    response.headers["Vary"] = ", ".join(vary)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
