"""Every staff page on one router, with what `require_role` needs installed on the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from ventanilla.app import App
from ventanilla.web import auth
from ventanilla.web.staff import case, cases, login, quarantine, users


def install_staff(web: FastAPI, app: App) -> None:
    """Add the staff workspace to the web app (login, cases, quarantine, users)."""
    auth.install(web, app)
    router = APIRouter(include_in_schema=False)
    for module in (login, cases, case, quarantine, users):
        router.include_router(module.router)
    web.include_router(router)
