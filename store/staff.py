"""Staff accounts, their sessions and login attempts: the store side of the workspace's auth.

Passwords are kept as argon2id hashes; a session is known by the SHA-256 of the random
token its cookie carries, so a copy of the table opens no session. Nothing here reads a
cookie or a request: `web/auth.py` does, and calls these.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ventanilla.errors import InputError, NotFound
from ventanilla.store import audit
from ventanilla.store.locks import lock_keys
from ventanilla.store.schema import LoginAttempt, StaffSession, User, utcnow

# `agente` works cases, quarantine and the report; `comunicaciones` the mentions feed;
# `admin` everything, and the users.
ROLES = ("admin", "agente", "comunicaciones")
ROLE_LABELS = {
    "admin": "Administración",
    "agente": "Atención al ciudadano",
    "comunicaciones": "Comunicaciones",
}
USERS = User.__table__
SESSIONS = StaffSession.__table__
ATTEMPTS = LoginAttempt.__table__
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified when the user name is unknown, so the answer takes as long as a wrong
    password (made on first use: hashing costs time every command would pay at import)."""
    return _HASHER.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class StaffUser:
    """The logged-in staff member of a request."""

    id: int
    username: str
    display_name: str
    role: str
    csrf_token: str

    def may(self, *roles: str) -> bool:
        """Whether this user may open what `roles` may (no roles: anyone logged in)."""
        return not roles or self.role == "admin" or self.role in roles


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_username(username: str) -> str:
    return username.strip().lower()


def valid_username(name: str) -> bool:
    return 0 < len(name) <= 64 and all(c.isalnum() or c in "._-@" for c in name)


def username_taken(session: Session, username: str) -> bool:
    name = normalize_username(username)
    return session.scalar(select(USERS.c.id).where(USERS.c.username == name)) is not None


def check_new_user(username: str, role: str, password: str, min_length: int) -> str:
    """The normalized user name, or InputError naming the field that is wrong."""
    name = normalize_username(username)
    if not valid_username(name):
        raise InputError("username", "use 1 to 64 letters, digits, dots, dashes, underscores or @")
    check_role(role)
    if len(password) < min_length:
        raise InputError("password", f"must be at least {min_length} characters")
    return name


def check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError("role", f"must be one of {', '.join(ROLES)}")


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    min_length: int = 12,
    actor: str = "cli",
) -> int:
    """Create a staff account; InputError names the field (username taken, short password)."""
    name = check_new_user(username, role, password, min_length)
    if username_taken(session, name):
        raise InputError("username", f"{name} already exists")
    user_id = session.scalar(
        insert(USERS)
        .values(
            username=name,
            display_name=display_name.strip()[:200],
            password_hash=_HASHER.hash(password),
            role=role,
            active=True,
            created_at=utcnow(),
        )
        .returning(USERS.c.id)
    )
    assert user_id is not None
    audit.record(session, "user", user_id, "user_added", actor=actor, username=name, role=role)
    return int(user_id)


def list_users(session: Session) -> list[dict[str, Any]]:
    from ventanilla.store.cases import local_iso

    rows = session.execute(select(USERS).order_by(USERS.c.username))
    return [
        {
            "id": row.id,
            "username": row.username,
            "display_name": row.display_name,
            "role": row.role,
            "active": row.active,
            "created_at": local_iso(row.created_at),
            "last_login_at": local_iso(row.last_login_at),
        }
        for row in rows
    ]


def _user_id(session: Session, username: str) -> int:
    user_id = session.scalar(
        select(USERS.c.id).where(USERS.c.username == normalize_username(username))
    )
    if user_id is None:
        raise NotFound(f"user {username} does not exist")
    return int(user_id)


def set_role(session: Session, username: str, role: str, *, actor: str) -> None:
    check_role(role)
    user_id = _user_id(session, username)
    session.execute(update(USERS).where(USERS.c.id == user_id).values(role=role))
    audit.record(session, "user", user_id, "role_changed", actor=actor, role=role)


def disable_user(session: Session, username: str, *, actor: str) -> None:
    """Disable an account and end its sessions at once (the row stays, for the trail)."""
    user_id = _user_id(session, username)
    session.execute(update(USERS).where(USERS.c.id == user_id).values(active=False))
    session.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))
    audit.record(session, "user", user_id, "user_disabled", actor=actor)


# -- logging in ------------------------------------------------------------------------


# After `limit` wrong passwords for one user name from one address, each further try waits
# twice as long as the one before (from this, up to the whole window).
FIRST_DELAY = timedelta(seconds=30)
# One address guessing across many user names (credential stuffing) is stopped after this
# many times `limit` failures within the window.
ADDRESS_FACTOR = 4


def locked_until(
    session: Session, username: str, address: str, *, limit: int, window: timedelta
) -> datetime | None:
    """When this user name may be tried again from this address; None if it may now.

    Throttled per (user name, address), with growing delays, never per user name alone:
    someone guessing from one address must not lock the real user out from theirs. An
    address with many failures across names waits until the oldest leaves the window.
    """
    now = utcnow()
    recent = ATTEMPTS.c.succeeded.is_(False) & (ATTEMPTS.c.at > now - window)
    name = normalize_username(username)
    pair = session.scalars(
        select(ATTEMPTS.c.at)
        .where(recent, ATTEMPTS.c.username == name, ATTEMPTS.c.address == address[:64])
        .order_by(ATTEMPTS.c.at.desc())
        .limit(limit + 16)
    ).all()
    latest: datetime | None = None
    if len(pair) >= limit:
        delay = min(window, FIRST_DELAY * 2 ** (len(pair) - limit))
        latest = pair[0] + delay
    if address:
        stuffing = session.scalars(
            select(ATTEMPTS.c.at)
            .where(recent, ATTEMPTS.c.address == address[:64])
            .order_by(ATTEMPTS.c.at.desc())
            .limit(limit * ADDRESS_FACTOR)
        ).all()
        if len(stuffing) >= limit * ADDRESS_FACTOR:
            lifts = stuffing[-1] + window
            latest = lifts if latest is None else max(latest, lifts)
    return latest if latest is not None and latest > now else None


def recent_failures(session: Session, since: datetime) -> dict[str, tuple[int, int]]:
    """Per user name: wrong passwords since `since`, and from how many addresses (for the
    admin's users page)."""
    rows = session.execute(
        select(
            ATTEMPTS.c.username,
            func.count(),
            func.count(func.distinct(ATTEMPTS.c.address)),
        )
        .where(ATTEMPTS.c.succeeded.is_(False), ATTEMPTS.c.at > since)
        .group_by(ATTEMPTS.c.username)
    )
    return {name: (int(count), int(addresses)) for name, count, addresses in rows}


def begin_login(
    session: Session, username: str, address: str, *, limit: int, window: timedelta
) -> tuple[int | None, datetime | None]:
    """Count a login try before its password is checked: (attempt id, None), or
    (None, when it may be tried again) while this name is throttled from this address.

    The try is stored as failed first and the count is taken under a lock on the name and
    the address, so parallel guesses cannot slip past the limit while a hash is verified.
    """
    name = normalize_username(username)[:64]
    lock_keys(session, [f"login:{name}", f"login-address:{address}"])
    until = locked_until(session, name, address, limit=limit, window=window)
    if until is not None:
        return None, until
    attempt_id = session.scalar(
        insert(ATTEMPTS)
        .values(username=name, address=address[:64], at=utcnow(), succeeded=False)
        .returning(ATTEMPTS.c.id)
    )
    return int(attempt_id or 0), None


def check_password(session: Session, username: str, password: str) -> int | None:
    """The id of the active account these credentials open, else None (same cost either way)."""
    row = session.execute(
        select(USERS.c.id, USERS.c.password_hash).where(
            USERS.c.username == normalize_username(username), USERS.c.active.is_(True)
        )
    ).one_or_none()
    try:
        _HASHER.verify(row.password_hash if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return int(row.id) if row is not None else None


def login_succeeded(
    session: Session, attempt_id: int, user_id: int, *, lifetime: timedelta, idle: timedelta
) -> str:
    """Mark the try good and open the session; returns the token for the cookie."""
    session.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).values(succeeded=True))
    return open_session(session, user_id, lifetime=lifetime, idle=idle)


def open_session(session: Session, user_id: int, *, lifetime: timedelta, idle: timedelta) -> str:
    """Start a session for `user_id`; returns the token for the cookie (stored hashed)."""
    now = utcnow()
    # Expired sessions of anyone are dropped here: logins are rare, sessions few.
    session.execute(
        delete(SESSIONS).where(
            (SESSIONS.c.expires_at <= now) | (SESSIONS.c.last_seen_at <= now - idle)
        )
    )
    session.execute(delete(ATTEMPTS).where(ATTEMPTS.c.at < now - timedelta(days=30)))
    token = secrets.token_urlsafe(32)
    session.execute(
        insert(SESSIONS).values(
            token_hash=token_hash(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + lifetime,
            last_seen_at=now,
        )
    )
    session.execute(update(USERS).where(USERS.c.id == user_id).values(last_login_at=now))
    audit.record(session, "user", user_id, "logged_in", actor=_username(session, user_id))
    return token


def _username(session: Session, user_id: int) -> str:
    return str(session.scalar(select(USERS.c.username).where(USERS.c.id == user_id)))


def find_session(
    session: Session, token: str, *, idle: timedelta
) -> tuple[StaffUser, datetime] | None:
    """The live session's user and when it was last used; None if unknown, expired or idle."""
    now = utcnow()
    row = session.execute(
        select(
            USERS.c.id,
            USERS.c.username,
            USERS.c.display_name,
            USERS.c.role,
            SESSIONS.c.csrf_token,
            SESSIONS.c.last_seen_at,
        )
        .join(USERS, USERS.c.id == SESSIONS.c.user_id)
        .where(
            SESSIONS.c.token_hash == token_hash(token),
            SESSIONS.c.expires_at > now,
            SESSIONS.c.last_seen_at > now - idle,
            USERS.c.active.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    user = StaffUser(row.id, row.username, row.display_name, row.role, row.csrf_token)
    return user, row.last_seen_at


def touch_session(session: Session, token: str) -> None:
    session.execute(
        update(SESSIONS)
        .where(SESSIONS.c.token_hash == token_hash(token))
        .values(last_seen_at=utcnow())
    )


def close_session(session: Session, token: str) -> bool:
    """Log out: the session row is deleted. False if there was none."""
    user_id = session.scalar(
        select(SESSIONS.c.user_id).where(SESSIONS.c.token_hash == token_hash(token))
    )
    result = session.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == token_hash(token)))
    if user_id is not None:
        audit.record(session, "user", user_id, "logged_out", actor=_username(session, user_id))
    return cast(CursorResult[Any], result).rowcount == 1
