"""Driving the staff workspace over HTTP as a browser would: log in, read the CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.conftest import Deployment

PASSWORD = "una-clave-bien-larga"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(deployment: Deployment, username: str, role: str, password: str = PASSWORD) -> None:
    deployment.cli("users", "add", username, "--role", role, "--password-stdin", stdin=password)


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(
    client: httpx.Client, username: str, password: str = PASSWORD, target: str = ""
) -> httpx.Response:
    """Open the login page (its cookie and token), then post the credentials."""
    form = client.get("/ingresar")
    return client.post(
        "/ingresar",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(form.text),
            "siguiente": target,
        },
    )


@contextmanager
def staff_client(
    deployment: Deployment, username: str, password: str = PASSWORD
) -> Iterator[httpx.Client]:
    """A client logged in as `username` (redirects not followed: tests look at them)."""
    with httpx.Client(base_url=deployment.base_url, timeout=30) as client:
        response = login(client, username, password)
        assert response.status_code == 303, response.text
        yield client
