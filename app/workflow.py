"""The review workflow's part of the application: accounts, submissions, review, admin.
``create_app`` calls ``install_workflow`` once."""

from __future__ import annotations

from fastapi import FastAPI


def install_workflow(app: FastAPI) -> None:
    from app.auth import install_accounts
    from app.routers import api_review
    from app.web import install_pages

    install_accounts(app)
    app.include_router(api_review.router)
    install_pages(app)
