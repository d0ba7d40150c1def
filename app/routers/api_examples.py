"""Public JSON API: examples."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlmodel import select

from app.deps import SessionDep
from app.models import Example, ExamplePublic
from app.serializers import example_public
from app.services.examples import count_published, get_published

router = APIRouter(prefix="/api/v1", tags=["examples"])


@router.get("/examples")
def list_examples(
    request: Request,
    session: SessionDep,
    page: int = Query(1, ge=1),
    per_page: int = Query(20, ge=1, le=100),
) -> dict:
    rows = session.exec(
        select(Example)
        .where(Example.status == "published")
        .order_by(Example.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    base = request.app.state.settings.BASE_URL
    return {
        "total": count_published(session),
        "page": page,
        "per_page": per_page,
        "items": [example_public(row, base_url=base).model_dump(mode="json") for row in rows],
    }


@router.get("/examples/{example_id}", response_model=ExamplePublic)
def get_example(example_id: int, request: Request, session: SessionDep) -> ExamplePublic:
    return example_public(get_published(session, example_id), base_url=request.app.state.settings.BASE_URL)
