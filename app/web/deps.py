"""FastAPI dependencies, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.core.config import Settings
from app.core.db import session_scope


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def base_url(request: Request) -> str:
    """The base URL of links in this response (see ``Settings.base_url_for``)."""
    return request.app.state.settings.base_url_for(str(request.base_url))


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit on success, roll back on error."""
    with session_scope(request.app.state.engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
