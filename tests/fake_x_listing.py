"""How the fake X lists mentions and DM events: the items, the checks of a listing
request (fields, expansions, ``max_results``), its pages and its JSON, as X does them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fake_http import Response
from tests.fake_x_rules import USER_FIELDS, invalid, json_response, max_results, pick, requested


@dataclass
class Item:
    """A mention or DM event as listed: well-formed ones are filtered by the fields asked."""

    data: dict[str, Any]
    seq: int
    raw: bool = False


def page_of(
    token: str | None, items: list[Item], size: int
) -> tuple[list[Item] | Response, str | None]:
    """One page of a newest-first listing and the token of the next one (None: last).

    The token names the last item given, so items that arrive meanwhile (at the front)
    shift nothing."""
    if token:
        try:
            anchor = int(base64.b32decode(token.upper() + "=" * (-len(token) % 8)))
        except ValueError:
            error = {"parameters": {"pagination_token": [token]}, "message": "Invalid token"}
            return invalid(error), None
        items = [item for item in items if item.seq < anchor]
    page = items[:size]
    if len(items) <= size:
        return page, None
    return page, base64.b32encode(str(page[-1].seq).encode()).decode().rstrip("=").lower()


@dataclass(frozen=True)
class Query:
    """What a listing request asked for, checked the way X checks it."""

    expansions: list[str]
    fields: list[str]  # tweet.fields or dm_event.fields
    user_fields: list[str]
    size: int

    @classmethod
    def read(
        cls,
        param: Callable[[str], str | None],
        expansions: set[str],
        fields_name: str,
        fields: set[str],
        sizes: tuple[int, int],  # (minimum, default); the maximum is 100
    ) -> Query | Response:
        checked = (
            requested(param("expansions"), "expansions", expansions),
            requested(param(fields_name), fields_name, fields),
            requested(param("user.fields"), "user.fields", USER_FIELDS),
            max_results(param("max_results"), sizes[0], 100, sizes[1]),
        )
        for value in checked:
            if isinstance(value, Response):
                return value
        wanted, own, users, size = checked
        assert isinstance(wanted, list) and isinstance(own, list) and isinstance(users, list)
        assert isinstance(size, int)
        return cls(wanted, own, users, size)


def listing(
    page: list[Item],
    default: tuple[str, ...],
    fields: list[str],
    includes: dict[str, list[dict[str, Any]]],
    errors: list[dict[str, Any]],
    meta: dict[str, Any],
    token: str | None,
) -> Response:
    """A listing's JSON: no ``data`` when empty, ``includes`` and ``errors`` when any."""
    body: dict[str, Any] = {}
    if page:
        body["data"] = [i.data if i.raw else pick(i.data, default, fields) for i in page]
    if any(includes.values()):
        body["includes"] = {key: value for key, value in includes.items() if value}
    if errors:
        body["errors"] = errors
    body["meta"] = meta | ({"next_token": token} if token else {})
    return json_response(200, body)
