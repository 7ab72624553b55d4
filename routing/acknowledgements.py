"""Whether and where a case is acknowledged (no I/O).

DESIGN rule 4: one acknowledgement per case and channel, never to auto-replies, bounces,
lists or no-reply senders.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NO_REPLY_MARKERS = ("noreply", "no-reply", "no_reply", "donotreply", "mailer-daemon", "postmaster")
# Flags adapters set when the provider says a message was sent by a machine, and how
# staff read the reason.
MACHINE_SIGNALS = {
    "auto_submitted": "automatic message (Auto-Submitted)",
    "autoreply": "automatic reply (X-Autoreply)",
    "bounce": "bounce or delivery report",
    "mailing_list": "mailing-list post (List-Id)",
    "bulk": "bulk mail (Precedence)",
    "own_loop": "our own message coming back (loop header)",
}
SILENCING_FLAGS = tuple(MACHINE_SIGNALS)


@dataclass(frozen=True)
class AckPlan:
    channel: str
    recipient: str
    # `ack`, or `public_reply` for the public answer to an X mention (radicado only).
    kind: str = "ack"


def machine_sent(channel: str, sender: str, flags: dict[str, Any], own_address: str) -> str:
    """Why this message was sent by a machine and must not be radicated ("" if a person)."""
    for flag, reason in MACHINE_SIGNALS.items():
        if flags.get(flag):
            return reason
    if channel == "email" and sender:
        if own_address and sender.lower() == own_address.lower():
            return "sent from our own address"
        if _is_no_reply(sender):
            return "no-reply sender"
    return ""


def plan_acknowledgements(
    channel: str,
    *,
    sender: str,
    reply_email: str,
    reply_phone: str,
    flags: dict[str, Any],
    own_address: str = "",
) -> tuple[list[AckPlan], str]:
    """The acknowledgements to send, and why none when the list is empty."""
    for flag in SILENCING_FLAGS:
        if flags.get(flag):
            return [], f"not acknowledged: {flag.replace('_', ' ')}"
    if channel == "web":
        # The web page already showed the radicado; the e-mail keeps a copy for the citizen.
        if reply_email:
            return _checked_email(reply_email, own_address)
        return [], "shown on the web page; no e-mail given"
    if channel == "email":
        return _checked_email(reply_email or sender, own_address)
    if channel == "telegram":
        chat = str(flags.get("chat_id") or "")
        return ([AckPlan("telegram", chat)], "") if chat else ([], "no chat to answer")
    if channel == "x":
        author = str(flags.get("author_id") or "")
        if not author:
            return [], "no account to answer"
        if flags.get("public"):
            # Ley 1581 de 2012: in public only the radicado and an invitation to write by
            # DM; the full acknowledgement goes by direct message.
            return [AckPlan("x", author, "public_reply"), AckPlan("x", author)], ""
        return [AckPlan("x", author)], ""
    recipient = reply_phone or sender
    if not recipient:
        return [], "no address to answer"
    # A voice mail is answered by SMS: nobody calls a citizen back to read a number.
    return [AckPlan("sms" if channel == "voice" else channel, recipient)], ""


def within_hourly_limit(
    plans: list[AckPlan], no_ack_reason: str, given: Mapping[str, int], limit: int
) -> tuple[list[AckPlan], str]:
    """Drop the acknowledgements to recipients already given `limit` this hour.

    `given` counts messages answered, not rows sent: an X mention's public reply and its
    DM are one acknowledgement of one request.
    """
    allowed = [plan for plan in plans if given.get(plan.recipient, 0) < limit]
    if len(allowed) == len(plans):
        return plans, no_ack_reason
    return allowed, f"not acknowledged: over {limit} acknowledgements to this sender in an hour"


def limited_origin(channel: str, flags: Mapping[str, Any]) -> str:
    """The client address whose requests' acknowledgements are counted: a web request's
    (`flags["origin"]`), "" for other channels and for loopback (local tools)."""
    origin = str(flags.get("origin") or "") if channel == "web" else ""
    try:
        return "" if ipaddress.ip_address(origin).is_loopback else origin
    except ValueError:
        return origin  # not an address (a test client's name): counted like one


def within_origin_limit(
    plans: list[AckPlan], no_ack_reason: str, origin: str, given: Mapping[str, int], limit: int
) -> tuple[list[AckPlan], str]:
    """No acknowledgement past `limit` this hour to the requests of one client address:
    the form would otherwise mail the entity's official message to any address typed."""
    if not origin or not plans or given.get(origin, 0) < limit:
        return plans, no_ack_reason
    return [], (
        f"not acknowledged: over {limit} acknowledgements to requests from this address in an hour"
    )


# Where each channel keeps the id of the citizen's message an answer should thread under.
_THREAD_FLAGS = {"email": "message_id", "telegram": "telegram_message_id", "x": "tweet_id"}


def reply_target(channel: str, flags: Mapping[str, Any]) -> str:
    """The provider's id of the citizen's message, for an answer on the same channel."""
    flag = _THREAD_FLAGS.get(channel)
    return str(flags.get(flag) or "") if flag else ""


def _checked_email(address: str, own_address: str) -> tuple[list[AckPlan], str]:
    if own_address and address.lower() == own_address.lower():
        return [], "not acknowledged: our own address"
    if _is_no_reply(address):
        return [], "not acknowledged: no-reply sender"
    return [AckPlan("email", address)], ""


def _is_no_reply(address: str) -> bool:
    local = address.split("@", 1)[0].lower()
    return any(marker in local for marker in NO_REPLY_MARKERS)
