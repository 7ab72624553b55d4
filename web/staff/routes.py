"""Every staff page on one router, with what `require_role` needs installed on the app."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from ventanilla.app import App
from ventanilla.web import auth
from ventanilla.web.reports import report_routes
from ventanilla.web.staff import (
    case,
    cases,
    filings,
    login,
    mentions,
    quarantine,
    review,
    users,
)
from ventanilla.web.staff.pages import NAV, NavItem

NAV.append(NavItem("/informes", "Informe trimestral", ("agente",)))


def install_staff(web: FastAPI, app: App) -> None:
    """Add the staff workspace to the web app (login, cases, quarantine, users, the
    mentions feed, the quarterly report)."""
    auth.install(web, app)
    router = APIRouter(include_in_schema=False)
    for module in (login, cases, case, review, filings, quarantine, users, mentions):
        router.include_router(module.router)
    router.include_router(report_routes(app, dependencies=[Depends(auth.require_role("agente"))]))
    web.include_router(router)
