"""Whether and where a case is acknowledged: once, on its channel, never to machines."""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.routing.acknowledgements import (
    SILENCING_FLAGS,
    AckPlan,
    limited_origin,
    machine_sent,
    plan_acknowledgements,
    within_origin_limit,
)

OWN = "atencionalciudadano@example.gov.co"


def plan(
    channel: str,
    *,
    sender: str = "",
    reply_email: str = "",
    reply_phone: str = "",
    flags: dict[str, Any] | None = None,
) -> tuple[list[AckPlan], str]:
    return plan_acknowledgements(
        channel,
        sender=sender,
        reply_email=reply_email,
        reply_phone=reply_phone,
        flags=flags or {},
        own_address=OWN,
    )


def test_web_request_with_email_gets_one_email_copy() -> None:
    plans, reason = plan("web", sender="ana@example.com", reply_email="ana@example.com")

    assert plans == [AckPlan("email", "ana@example.com")]
    assert reason == ""


def test_web_request_without_email_is_only_shown_on_the_page() -> None:
    plans, reason = plan("web", sender="3001234567", reply_phone="3001234567")

    assert plans == []
    assert reason == "shown on the web page; no e-mail given"


def test_anonymous_web_request_gets_no_acknowledgement_message() -> None:
    assert plan("web") == ([], "shown on the web page; no e-mail given")


def test_email_request_is_answered_to_its_sender() -> None:
    plans, reason = plan("email", sender="luis@example.com")

    assert plans == [AckPlan("email", "luis@example.com")]
    assert reason == ""


def test_email_request_prefers_its_reply_address() -> None:
    plans, _ = plan("email", sender="luis@example.com", reply_email="luis.casa@example.com")

    assert plans == [AckPlan("email", "luis.casa@example.com")]


@pytest.mark.parametrize(
    ("channel", "sender", "reply_phone", "recipient"),
    [
        ("whatsapp", "+573001234567", "", "+573001234567"),
        ("sms", "+573001234567", "+573009998877", "+573009998877"),
    ],
)
def test_phone_channels_answer_on_their_own_channel(
    channel: str, sender: str, reply_phone: str, recipient: str
) -> None:
    assert plan(channel, sender=sender, reply_phone=reply_phone) == (
        [AckPlan(channel, recipient)],
        "",
    )


def test_message_without_any_address_is_not_acknowledged() -> None:
    assert plan("sms") == ([], "no address to answer")
    assert plan("telegram") == ([], "no chat to answer")
    assert plan("x") == ([], "no account to answer")


@pytest.mark.parametrize("channel", ["email", "web", "telegram"])
@pytest.mark.parametrize(
    ("flag", "reason"),
    [
        ("auto_submitted", "not acknowledged: auto submitted"),
        ("bounce", "not acknowledged: bounce"),
        ("bulk", "not acknowledged: bulk"),
        ("mailing_list", "not acknowledged: mailing list"),
        ("own_loop", "not acknowledged: own loop"),
        ("autoreply", "not acknowledged: autoreply"),
    ],
)
def test_machine_sent_message_is_never_acknowledged(channel: str, flag: str, reason: str) -> None:
    plans, why = plan(
        channel, sender="ana@example.com", reply_email="ana@example.com", flags={flag: True}
    )

    assert (plans, why) == ([], reason)


def test_every_silencing_flag_is_covered() -> None:
    assert set(SILENCING_FLAGS) == {
        "auto_submitted",
        "autoreply",
        "bounce",
        "bulk",
        "mailing_list",
        "own_loop",
    }


def test_flags_that_are_false_do_not_silence() -> None:
    flags = {flag: False for flag in SILENCING_FLAGS} | {"auto_submitted": ""}

    plans, _ = plan("email", sender="ana@example.com", flags=flags)

    assert plans == [AckPlan("email", "ana@example.com")]


@pytest.mark.parametrize(
    "address",
    [
        "noreply@banco.example",
        "no-reply@notificaciones.example",
        "No_Reply@example.com",
        "DoNotReply@example.com",
        "MAILER-DAEMON@mx.example.com",
        "postmaster@example.com",
        "alertas-noreply@portal.example",
    ],
)
@pytest.mark.parametrize("channel", ["email", "web"])
def test_no_reply_sender_is_not_acknowledged(channel: str, address: str) -> None:
    plans, reason = plan(channel, sender=address, reply_email=address)

    assert (plans, reason) == ([], "not acknowledged: no-reply sender")


@pytest.mark.parametrize("address", [OWN, OWN.upper()])
@pytest.mark.parametrize("channel", ["email", "web"])
def test_our_own_address_is_not_acknowledged(channel: str, address: str) -> None:
    plans, reason = plan(channel, sender=address, reply_email=address)

    assert (plans, reason) == ([], "not acknowledged: our own address")


def test_domain_that_looks_like_no_reply_does_not_silence_a_citizen() -> None:
    plans, _ = plan("email", sender="ana@noreply-hosting.example")

    assert plans == [AckPlan("email", "ana@noreply-hosting.example")]


@pytest.mark.parametrize(
    ("channel", "sender", "flags", "reason"),
    [
        ("email", "ana@example.com", {}, ""),
        ("email", "ana@example.com", {"bounce": True}, "bounce or delivery report"),
        ("email", "ana@example.com", {"mailing_list": True}, "mailing-list post (List-Id)"),
        ("email", "noreply@banco.example", {}, "no-reply sender"),
        ("email", OWN.upper(), {}, "sent from our own address"),
        ("telegram", "noreply", {}, ""),
        ("web", "ana@example.com", {"auto_submitted": False}, ""),
    ],
)
def test_machine_sent_names_why_a_message_is_not_radicated(
    channel: str, sender: str, flags: dict[str, Any], reason: str
) -> None:
    assert machine_sent(channel, sender, flags, OWN) == reason


def test_telegram_request_is_answered_in_its_chat() -> None:
    plans, reason = plan("telegram", sender="tg:5551", flags={"chat_id": 5551})

    assert (plans, reason) == ([AckPlan("telegram", "5551")], "")


def test_public_x_mention_gets_a_public_reply_and_a_direct_message() -> None:
    plans, _ = plan("x", sender="x:42", flags={"author_id": "42", "public": True})

    assert plans == [AckPlan("x", "42", "public_reply"), AckPlan("x", "42")]


def test_x_direct_message_is_answered_by_direct_message_only() -> None:
    plans, _ = plan("x", sender="x:42", flags={"author_id": "42", "public": False})

    assert plans == [AckPlan("x", "42")]


@pytest.mark.parametrize(
    ("channel", "flags", "target"),
    [
        ("email", {"message_id": "<a@b>"}, "<a@b>"),
        ("telegram", {"telegram_message_id": 77}, "77"),
        ("x", {"tweet_id": "1790"}, "1790"),
        ("sms", {"to": "+5760"}, ""),
        ("web", {}, ""),
    ],
)
def test_reply_target_is_the_citizens_own_message_on_each_channel(
    channel: str, flags: dict[str, Any], target: str
) -> None:
    from ventanilla.routing.acknowledgements import reply_target

    assert reply_target(channel, flags) == target


@pytest.mark.parametrize(
    ("channel", "flags", "expected"),
    [
        ("web", {"origin": "203.0.113.5"}, "203.0.113.5"),
        ("web", {"origin": "2001:db8::1"}, "2001:db8::1"),
        ("web", {"origin": "127.0.0.1"}, ""),  # local tools and benchmarks
        ("web", {"origin": "::1"}, ""),
        ("web", {}, ""),
        ("email", {"origin": "203.0.113.5"}, ""),  # only web requests carry one
    ],
)
def test_the_origin_counted_is_a_web_requests_remote_address(
    channel: str, flags: dict[str, Any], expected: str
) -> None:
    assert limited_origin(channel, flags) == expected


@pytest.mark.parametrize(
    ("origin", "given", "kept"),
    [
        ("203.0.113.5", {"203.0.113.5": 9}, True),
        ("203.0.113.5", {"203.0.113.5": 10}, False),
        ("203.0.113.5", {"198.51.100.7": 10}, True),  # another address has its own count
        ("", {"": 99}, True),  # no origin: no limit
    ],
)
def test_acknowledgements_stop_past_the_limit_per_address_of_origin(
    origin: str, given: dict[str, int], kept: bool
) -> None:
    plans = [AckPlan("email", "victima@example.com")]

    allowed, reason = within_origin_limit(plans, "", origin, given, 10)

    assert allowed == (plans if kept else [])
    assert reason == (
        ""
        if kept
        else "not acknowledged: over 10 acknowledgements to requests from this address in an hour"
    )
