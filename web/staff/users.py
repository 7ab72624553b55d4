"""Staff accounts, `/usuarios` (admin only): add one, change a role, disable one."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ventanilla.errors import InputError, NotFound
from ventanilla.store import staff
from ventanilla.store.schema import utcnow
from ventanilla.store.staff import ROLE_LABELS, ROLES, StaffUser
from ventanilla.web.auth import require_role
from ventanilla.web.staff.pages import form_fields, render, staff_app

router = APIRouter()
Admin = Annotated[StaffUser, Depends(require_role("admin"))]
DONE = {
    "agregado": "Creamos el usuario. Ya puede ingresar con su contraseña.",
    "rol": "Cambiamos el rol. Vale desde la próxima página que abra esa persona.",
    "desactivado": "Desactivamos el usuario y cerramos sus sesiones.",
    "propio": "No puede cambiar el rol de su propio usuario ni desactivarlo.",
}


def _page(
    request: Request,
    user: StaffUser,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    app = staff_app(request)
    with app.db.read() as session:
        users = staff.list_users(session)
        failures = staff.recent_failures(session, utcnow() - timedelta(hours=24))
    return render(
        request,
        "users",
        user,
        status=status,
        users=users,
        failures=failures,
        roles=ROLES,
        role_labels=ROLE_LABELS,
        done=DONE.get(request.query_params.get("hecho", ""), ""),
        errors=errors or {},
        values=values or {},
        min_length=app.settings.staff.min_password_length,
    )


@router.get("/usuarios", response_class=HTMLResponse)
async def users_page(request: Request, user: Admin) -> Response:
    return await run_in_threadpool(_page, request, user)


def new_user_errors(fields: dict[str, str], min_length: int) -> dict[str, str]:
    errors = {}
    if not staff.valid_username(staff.normalize_username(fields.get("username", ""))):
        errors["username"] = "Use de 1 a 64 letras sin tildes, números, puntos, guiones o @."
    if fields.get("role") not in ROLES:
        errors["role"] = "Elija un rol."
    password = fields.get("password", "")
    if len(password) < min_length:
        errors["password"] = f"La contraseña debe tener al menos {min_length} caracteres."
    elif password != fields.get("password2", ""):
        errors["password2"] = "Las dos contraseñas no son iguales."
    return errors


@router.post("/usuarios")
async def add(request: Request, user: Admin) -> Response:
    app = staff_app(request)
    fields = await form_fields(request)
    min_length = app.settings.staff.min_password_length
    errors = new_user_errors(fields, min_length)

    def write() -> dict[str, str]:
        with app.db.transaction() as session:
            if staff.username_taken(session, fields.get("username", "")):
                return {"username": "Ya existe un usuario con ese nombre."}
            staff.add_user(
                session,
                fields["username"],
                fields["password"],
                fields["role"],
                display_name=fields.get("display_name", ""),
                min_length=min_length,
                actor=user.username,
            )
            return {}

    if not errors:
        errors = await run_in_threadpool(write)
    if errors:
        kept = {k: v for k, v in fields.items() if not k.startswith("password")}
        return await run_in_threadpool(
            lambda: _page(request, user, status=422, errors=errors, values=kept)
        )
    return RedirectResponse("/usuarios?hecho=agregado", status_code=303)


async def _change(
    request: Request, user: StaffUser, username: str, done: str, action: Any
) -> Response:
    app = staff_app(request)
    if staff.normalize_username(username) == user.username:
        return RedirectResponse("/usuarios?hecho=propio", status_code=303)
    fields = await form_fields(request)

    def write() -> None:
        with app.db.transaction() as session:
            action(session, fields)

    try:
        await run_in_threadpool(write)
    except (NotFound, InputError):
        return Response("No existe ese usuario o ese rol.", status_code=404)
    return RedirectResponse(f"/usuarios?hecho={done}", status_code=303)


@router.post("/usuarios/{username}/rol")
async def change_role(request: Request, username: str, user: Admin) -> Response:
    return await _change(
        request,
        user,
        username,
        "rol",
        lambda session, fields: staff.set_role(
            session, username, fields.get("role", ""), actor=user.username
        ),
    )


@router.post("/usuarios/{username}/desactivar")
async def disable(request: Request, username: str, user: Admin) -> Response:
    return await _change(
        request,
        user,
        username,
        "desactivado",
        lambda session, _: staff.disable_user(session, username, actor=user.username),
    )
