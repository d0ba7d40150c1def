"""An example's contact form (mailed through the outbox; the address is never shown) and
its attachments (upload, download, delete)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from app.core.errors import InputError
from app.services import attachments as attachment_service
from app.services import contact as contact_service
from app.services.examples import get_published
from app.web.auth import CommitFirst, CsrfForm, PageUser, client_ip
from app.web.deps import SessionDep, SettingsDep
from app.web.ids import Id
from app.web.rendering import PageRoute, page, redirect
from app.web.templating import add_global, is_htmx

add_global("size_text", attachment_service.size_text)

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)


@router.post("/exempel/{example_id}/kontakt")
def contact(example_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
            name: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
            message: Annotated[str, Form()] = ""):
    example = get_published(session, example_id)
    form = {"name": name, "email": email, "message": message}
    template = "contact/_form.html" if is_htmx(request) else "contact/result.html"
    try:
        contact_service.send_contact_message(session, settings=settings, example=example, name=name, email=email,
                                             message=message, ip=client_ip(request))
    except contact_service.ContactRateLimited as exc:
        return page(request, template, {"example": example, "form": form, "errors": {}, "limited": exc.retry_after},
                    status_code=429, headers={"Retry-After": str(exc.retry_after)})
    except InputError as exc:
        return page(request, template, {"example": example, "form": form,
                                        "errors": {f.field: f.message for f in exc.fields}}, status_code=422)
    return page(request, template, {"example": example, "form": {}, "errors": {}, "sent": True})


@router.post("/exempel/{example_id}/bilagor")
async def upload(example_id: Id, request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
                 file: Annotated[UploadFile | None, File()] = None):
    example = get_published(session, example_id)
    limit = settings.UPLOAD_MAX_BYTES
    data = await file.read(limit + 1) if file is not None else b""
    filename = file.filename if file is not None else None
    try:
        attachment_service.add_attachment(session, storage=request.app.state.storage, example=example, user=user,
                                          filename=filename, data=data, max_bytes=limit)
    except (InputError, attachment_service.TooLarge) as exc:
        status = exc.status
        return page(request, "contact/upload_error.html", {"example": example, "error": exc, "limit": limit},
                    user=user, status_code=status)
    return redirect(f"/exempel/{example.id}?bilaga=sparad#bilagor")


@router.get("/exempel/{example_id}/bilagor/{attachment_id}/{filename}")
def download(example_id: Id, attachment_id: Id, filename: str, request: Request, session: SessionDep):
    example = get_published(session, example_id)
    row = attachment_service.get_attachment(session, example_id=example.id, attachment_id=attachment_id)
    data = attachment_service.read_attachment(request.app.state.storage, row)
    return Response(data, media_type=row.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })


@router.post("/exempel/{example_id}/bilagor/{attachment_id}/ta-bort")
def delete(example_id: Id, attachment_id: Id, request: Request, session: SessionDep, user: PageUser):
    example = get_published(session, example_id)
    row = attachment_service.get_attachment(session, example_id=example.id, attachment_id=attachment_id)
    attachment_service.delete_attachment(session, storage=request.app.state.storage, example=example, row=row,
                                         user=user)
    return redirect(f"/exempel/{example.id}?bilaga=borttagen#bilagor")
