"""Pages of "Bevaka": save the current search, list and change saved searches, and each
saved search's private Atom feed (an unguessable address, no login)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.core.errors import InputError
from app.core.i18n import gettext
from app.core.time import as_utc, utcnow
from app.services import alerts as alert_service
from app.services.serializers import permalink
from app.services.taxonomy import taxonomy_for
from app.web.auth import CommitFirst, CsrfForm, OptionalUser, PageUser
from app.web.deps import SessionDep
from app.web.ids import Id
from app.web.rendering import PageRoute, lang_of, page, redirect

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)


def _base(request: Request) -> str:
    return request.app.state.settings.BASE_URL.rstrip("/")


def _list_context(request: Request, session, user, **extra):
    lang = lang_of(request)
    saved = alert_service.list_saved(session, user=user)
    return {
        "nav": "alerts", "saved": saved, "base_url": _base(request),
        "feed_url": lambda s: alert_service.feed_url(_base(request), s),
        "frequencies": [(k, gettext(lang, v)) for k, v in alert_service.FREQUENCY_TITLES.items()],
        "done": request.query_params.get("done"), "errors": {}, **extra,
    }


@router.get("/bevakningar")
def saved_page(request: Request, session: SessionDep, user: PageUser):
    return page(request, "alerts/list.html", _list_context(request, session, user), user=user)


@router.post("/bevakningar")
def save_search(request: Request, session: SessionDep, user: OptionalUser,
                query: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                frequency: Annotated[str, Form()] = "weekly"):
    if user is None:
        return redirect("/logga-in?next=" + quote("/?" + query if query else "/", safe="/"))
    taxonomy = taxonomy_for(request.app.state, session)
    try:
        saved = alert_service.create_saved_search(session, user=user, query=query, name=name, frequency=frequency,
                                                  taxonomy=taxonomy, lang=lang_of(request))
    except InputError as exc:
        ctx = _list_context(request, session, user, errors={f.field: f.message for f in exc.fields},
                            rejected_query=query)
        return page(request, "alerts/list.html", ctx, user=user, status_code=422)
    return redirect(f"/bevakningar?done=saved#s-{saved.id}")


@router.post("/bevakningar/{saved_id}")
def change(saved_id: Id, request: Request, session: SessionDep, user: PageUser,
           name: Annotated[str, Form()] = "", frequency: Annotated[str, Form()] = ""):
    saved = alert_service.get_saved(session, user=user, saved_id=saved_id)
    try:
        alert_service.update_saved(session, saved=saved, user=user, changes={"name": name, "frequency": frequency})
    except InputError as exc:
        session.expire(saved)
        ctx = _list_context(request, session, user, errors={f.field: f.message for f in exc.fields})
        return page(request, "alerts/list.html", ctx, user=user, status_code=422)
    return redirect(f"/bevakningar?done=changed#s-{saved.id}")


@router.post("/bevakningar/{saved_id}/nytt-flode")
def regenerate(saved_id: Id, session: SessionDep, user: PageUser):
    saved = alert_service.get_saved(session, user=user, saved_id=saved_id)
    alert_service.new_feed_token(session, saved=saved, user=user)
    return redirect(f"/bevakningar?done=feed#s-{saved.id}")


@router.post("/bevakningar/{saved_id}/ta-bort")
def delete(saved_id: Id, session: SessionDep, user: PageUser):
    saved = alert_service.get_saved(session, user=user, saved_id=saved_id)
    alert_service.delete_saved(session, saved=saved, user=user)
    return redirect("/bevakningar?done=deleted")


# -- the private feed ---------------------------------------------------------------------------
ATOM = "http://www.w3.org/2005/Atom"


def _xml_text(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch in "\t\n\r" or ord(ch) >= 0x20)


@router.api_route("/bevakningar/flode/{token}.atom", methods=["GET", "HEAD"])
def saved_feed(token: str, request: Request, session: SessionDep):
    saved = alert_service.saved_by_feed_token(session, token=token)
    base = _base(request)
    lang = lang_of(request)
    taxonomy = taxonomy_for(request.app.state, session)
    rows = alert_service.feed_rows(session, request.app.state.search, taxonomy, saved)
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = _xml_text(text)
        return element

    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    sub(root, "id", f"urn:barnrattsbanken:saved-search:{saved.id}")
    sub(root, "title", f"Barnrättsbanken: {saved.name}")
    sub(root, "subtitle", gettext(lang, alert_service.FEED_SUBTITLE))
    updated = max((as_utc(r.updated_at) for r in rows), default=as_utc(saved.created_at) or utcnow())
    sub(root, "updated", updated.isoformat())
    sub(root, "link", rel="self", type="application/atom+xml", href=alert_service.feed_url(base, saved))
    sub(root, "link", rel="alternate", type="text/html", href=f"{base}/?{saved.query}" if saved.query else f"{base}/")
    sub(root, "generator", "Barnrättsbanken")
    for row in rows:
        url = permalink(base, row.id)
        entry = sub(root, "entry")
        entry.set("{http://www.w3.org/XML/1998/namespace}lang", "sv")
        sub(entry, "id", url)
        sub(entry, "title", row.title)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", as_utc(row.published_at).isoformat())
        sub(entry, "updated", as_utc(row.updated_at).isoformat())
        sub(sub(entry, "author"), "name", row.organisation_name)
        sub(entry, "summary", row.summary, type="text")
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex",
                             "Referrer-Policy": "no-referrer"})
