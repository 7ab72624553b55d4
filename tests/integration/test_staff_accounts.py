"""Staff accounts in the store, on both backends: argon2id hashes, sessions known only by
their hash, the wrong-password window per user name and per address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from ventanilla.errors import InputError
from ventanilla.store import staff
from ventanilla.store.schema import LoginAttempt, User, utcnow

pytestmark = pytest.mark.integration

LIFETIME, IDLE, WINDOW = timedelta(hours=8), timedelta(minutes=30), timedelta(minutes=15)
PASSWORD = "una-clave-bien-larga"


@pytest.fixture
def db(app_with) -> Any:
    return app_with().db


def add(db: Any, username: str = "Ana", role: str = "agente") -> int:
    with db.transaction() as session:
        return staff.add_user(session, username, PASSWORD, role, display_name="Ana Gómez")


def test_a_password_is_kept_as_an_argon2id_hash_and_checked(db):
    user_id = add(db)
    with db.read() as session:
        stored = session.scalar(select(User.password_hash))
        assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
        assert staff.check_password(session, "ANA ", PASSWORD) == user_id
        assert staff.check_password(session, "ana", PASSWORD + "x") is None
        assert staff.check_password(session, "nadie", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "role", "password", "field"),
    [
        ("ana", "agente", "corta", "password"),
        ("", "agente", PASSWORD, "username"),
        ("ana gómez", "agente", PASSWORD, "username"),
        ("ana", "jefe", PASSWORD, "role"),
    ],
)
def test_a_new_user_with_a_bad_value_names_its_field(db, username, role, password, field):
    with pytest.raises(InputError) as error, db.transaction() as session:
        staff.add_user(session, username, password, role)
    assert error.value.field == field


def test_a_user_name_is_taken_once(db):
    add(db, "ana")
    with pytest.raises(InputError) as error, db.transaction() as session:
        staff.add_user(session, "ANA", PASSWORD, "admin")
    assert error.value.field == "username"


def test_a_session_is_found_by_its_token_until_logout(db):
    user_id = add(db)
    with db.transaction() as session:
        token = staff.open_session(session, user_id, lifetime=LIFETIME, idle=IDLE)
    with db.read() as session:
        found = staff.find_session(session, token, idle=IDLE)
        assert found is not None
        user, _ = found
        assert (user.username, user.role, user.display_name) == ("ana", "agente", "Ana Gómez")
        assert len(user.csrf_token) >= 32
        assert staff.find_session(session, token + "x", idle=IDLE) is None
    with db.transaction() as session:
        assert staff.close_session(session, token)
    with db.read() as session:
        assert staff.find_session(session, token, idle=IDLE) is None


def test_disabling_a_user_ends_their_sessions_and_logins(db):
    user_id = add(db)
    with db.transaction() as session:
        token = staff.open_session(session, user_id, lifetime=LIFETIME, idle=IDLE)
        staff.disable_user(session, "ana", actor="admin")
    with db.read() as session:
        assert staff.find_session(session, token, idle=IDLE) is None
        assert staff.check_password(session, "ana", PASSWORD) is None
        [row] = staff.list_users(session)
    assert row["active"] is False


def test_a_role_change_applies_to_open_sessions(db):
    user_id = add(db)
    with db.transaction() as session:
        token = staff.open_session(session, user_id, lifetime=LIFETIME, idle=IDLE)
        staff.set_role(session, "ana", "comunicaciones", actor="admin")
    with db.read() as session:
        found = staff.find_session(session, token, idle=IDLE)
    assert found is not None and found[0].role == "comunicaciones"


def fail(db: Any, username: str, address: str) -> Any:
    with db.transaction() as session:
        return staff.begin_login(session, username, address, limit=3, window=WINDOW)


def test_failures_throttle_one_name_from_one_address_with_growing_delays(db):
    for _ in range(3):
        attempt, until = fail(db, "ana", "10.0.0.1")
        assert attempt and until is None
    attempt, until = fail(db, "ana", "10.0.0.1")  # 3 failures from here: wait 30 s
    assert attempt is None and until is not None
    with db.read() as session:
        last = max(session.scalars(select(LoginAttempt.at)))
    assert until == last + staff.FIRST_DELAY
    # Someone guessing from one address never locks the user out from another.
    assert fail(db, "ana", "10.0.0.2")[1] is None

    # The delay doubles with each failure past the limit, up to the window.
    with db.transaction() as session:
        session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(seconds=31)))
    assert fail(db, "ana", "10.0.0.1")[1] is None  # tried after the 30 s: fails again
    attempt, until = fail(db, "ana", "10.0.0.1")
    assert attempt is None
    with db.read() as session:
        last = max(
            session.scalars(select(LoginAttempt.at).where(LoginAttempt.address == "10.0.0.1"))
        )
    assert until == last + 2 * staff.FIRST_DELAY


def test_one_address_guessing_many_names_is_stopped(db):
    for n in range(3 * staff.ADDRESS_FACTOR):
        assert fail(db, f"user{n}", "10.0.0.9")[1] is None
    assert fail(db, "elena", "10.0.0.9")[1] is not None  # that address: too many names
    assert fail(db, "elena", "10.0.0.8")[1] is None
    # Time passes: failures older than the window no longer count.
    with db.transaction() as session:
        session.execute(update(LoginAttempt).values(at=utcnow() - WINDOW - timedelta(seconds=1)))
    assert fail(db, "elena", "10.0.0.9")[1] is None


def test_a_successful_login_is_not_counted_as_a_failure(db):
    user_id = add(db)
    for _ in range(5):
        attempt, _ = fail(db, "ana", "10.0.0.1")
        with db.transaction() as session:
            staff.login_succeeded(session, attempt, user_id, lifetime=LIFETIME, idle=IDLE)
    assert fail(db, "ana", "10.0.0.1")[1] is None
