"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The database or the search engine is unavailable (same body, `status: unavailable`)."}})
def readyz(request: Request) -> JSONResponse:
    """The database and the search engine are reachable; 503 with detail when not."""
    checks: dict[str, dict] = {}
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = {"ok": False, "detail": type(exc).__name__}
    for name, probe in getattr(request.app.state, "readiness_probes", {}).items():
        try:
            checks[name] = probe()
        except Exception as exc:  # noqa: BLE001 - a failing probe means not ready
            checks[name] = {"ok": False, "detail": type(exc).__name__}
    ok = all(check.get("ok") for check in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks},
        status_code=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )
