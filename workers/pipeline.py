"""The pipeline: classify (with dedupe) → radicate → acknowledge, for a batch of messages.

One actor, `advance`, takes a batch of message ids (a mailbox batch, or one web request)
through the stages they still have to go. Each stage reads what it needs, asks `routing/`
for pure decisions, and writes the outcomes in one short transaction whose updates are
conditional on the stage (`UPDATE ... WHERE stage = ...`), so a re-delivered or concurrent
actor message changes nothing. Batching is what keeps a backlog of thousands moving: a
queue hop or a transaction costs more than the decision. A batch that fails is split and
each message retried on its own, so one bad message never holds up the others; the
reconciler re-sends whatever a crash left in the middle.

Each acknowledgement is sent right after radicating and recorded on its own (exactly once
per case and channel); a temporary failure is retried by `acknowledge` with backoff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import dramatiq
from sqlalchemy.orm import Session

from ventanilla.adapters.registry import sender_for
from ventanilla.app import current_app
from ventanilla.docsys.registry import Filing
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.routing.acknowledgements import (
    AckPlan,
    machine_sent,
    plan_acknowledgements,
    within_hourly_limit,
)
from ventanilla.routing.classify import Classification
from ventanilla.routing.classify import classify as classify_text
from ventanilla.routing.commands import answer_command, wanted_radicado
from ventanilla.routing.dedupe import dedupe_key, window_start
from ventanilla.routing.followups import follow_up_of, quoted_radicados, thread_radicados
from ventanilla.routing.offices import assign_office
from ventanilla.routing.text import strip_quoted
from ventanilla.routing.types import is_request
from ventanilla.store import outbox, pipeline
from ventanilla.store.locks import lock_keys
from ventanilla.store.outbox import Reply
from ventanilla.store.pipeline import CaseFacts, CaseState, MessageFacts
from ventanilla.store.schema import utcnow
from ventanilla.templates import render_acknowledgement, render_command_reply
from ventanilla.workers.broker import broker, dead_letter_handlers
from ventanilla.workers.notify import announce_outcome

QUEUE = "pipeline"
# Messages per `advance` call: big enough to share transactions, small enough to spread a
# backlog over every worker thread.
BATCH = 25
# First retry of an acknowledgement whose inline attempt failed for a temporary reason.
ACK_RETRY_DELAY_MS = 2_000


def start(message_ids: Sequence[int]) -> None:
    """Enqueue the pipeline for newly stored messages, in batches."""
    for first in range(0, len(message_ids), BATCH):
        advance.send(list(message_ids[first : first + BATCH]))


@dramatiq.actor(queue_name=QUEUE, broker=broker)
def advance(message_ids: list[int] | int) -> None:
    ids = [message_ids] if isinstance(message_ids, int) else list(message_ids)
    try:
        advance_batch(ids)
    except Exception:
        if len(ids) == 1:
            raise  # retried with backoff, then quarantined with the reason
        log.warning("batch_failed_retrying_each", messages=len(ids))
        for message_id in ids:
            advance.send([message_id])


def advance_batch(message_ids: list[int]) -> None:
    with current_app().db.read() as session:
        messages = pipeline.load_many(session, message_ids)
    onward = classify([m for m in messages if m.stage in ("classify", "dedupe")])
    radicate(onward + [m for m in messages if m.stage == "radicate"])


# -- classify and dedupe -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What classify and dedupe decided for one message (applied in one transaction)."""

    message: MessageFacts
    kind: str  # quarantine, follow_up, ignored, command, duplicate, onward
    decision: Classification | None = None
    reason: str = ""
    key: str | None = None
    case: CaseFacts | None = None
    # A bot command's answer, created with the outcome and sent after the commit.
    reply: Reply | None = None


def classify(messages: list[MessageFacts]) -> list[MessageFacts]:
    """Decide each message, write every outcome at once; returns those to radicate."""
    if not messages:
        return []
    app = current_app()
    keys = {m.id: _key(m) for m in messages}
    candidates = {
        m.id: (thread_radicados(m.references), quoted_radicados(m.subject, m.text))
        for m in messages
    }
    asked = {_asked_about(m) for m in messages} - {""}
    with app.db.read() as session:
        cases = pipeline.cases_by_radicado(
            session, sorted({r for thread, quoted in candidates.values() for r in thread + quoted})
        )
        originals = pipeline.find_duplicates(session, list(keys.values()), window_start(utcnow()))
        states = pipeline.case_states(session, sorted(asked))
    outcomes = [
        _command(m, states)
        if _is_command(m)
        else _decide(m, keys[m.id], *candidates[m.id], cases, originals)
        for m in messages
    ]
    onward = []
    replies: list[int] = []
    with app.db.transaction() as session:
        for outcome in outcomes:
            recorded = _record(session, outcome)
            if recorded and outcome.kind == "onward":
                onward.append(outcome)
            if recorded and outcome.reply is not None:
                replies += outbox.add_replies(session, [outcome.reply], claimed=True)
    for outcome in outcomes:
        log.info("classified", message_id=outcome.message.id, outcome=outcome.kind)
        if outcome.kind != "onward":
            announce_outcome(outcome.message.id)
    for outbox_id in replies:
        deliver(outbox_id, inline=True)
    return [_moved_on(outcome) for outcome in onward]


def _is_command(message: MessageFacts) -> bool:
    flags = message.flags
    return bool(flags.get("command")) and not flags.get("quarantine") and not flags.get("skip")


def _asked_about(message: MessageFacts) -> str:
    if not _is_command(message):
        return ""
    return wanted_radicado(
        str(message.flags["command"]), str(message.flags.get("command_args", ""))
    )


def _command(message: MessageFacts, states: dict[str, CaseState]) -> Outcome:
    """A bot command: stored as ignored with the reason, answered in its chat."""
    command = str(message.flags["command"])
    args = str(message.flags.get("command_args", ""))
    owners = {radicado: state.sender for radicado, state in states.items()}
    answer = answer_command(command, args, message.sender, owners)
    settings = current_app().settings
    body = render_command_reply(answer, states.get(answer.radicado), message.sender_name, settings)
    chat = str(message.flags.get("chat_id") or "")
    reply = (
        Reply("reply", message.channel, chat, message_id=message.id, body=body) if chat else None
    )
    return Outcome(message, "command", reason=f"bot command {command}", reply=reply)


def _key(message: MessageFacts) -> str | None:
    return dedupe_key(message.sender or message.reply_email or message.reply_phone, message.text)


def _decide(
    message: MessageFacts,
    key: str | None,
    thread: list[str],
    quoted: list[str],
    cases: dict[str, tuple[CaseFacts, str]],
    originals: dict[str, CaseFacts],
) -> Outcome:
    if message.flags.get("quarantine"):
        # Kept raw by its adapter because it could not be read: staff look at it.
        return Outcome(message, "quarantine", reason=str(message.flags["quarantine"]))
    if message.flags.get("skip"):
        # Stored for the record, but nothing a person asked (an unknown update type, a
        # group chat, our own post): the adapter said why.
        return Outcome(message, "ignored", reason=f"not radicated: {message.flags['skip']}")
    if message.stage == "classify":
        senders = {radicado: sender for radicado, (_, sender) in cases.items()}
        follow_up = follow_up_of(thread, quoted, message.sender, senders)
        if follow_up is not None:
            radicado, why = follow_up
            return Outcome(message, "follow_up", reason=why, case=cases[radicado][0])
    decision = None
    if message.stage == "classify":
        own_address = current_app().settings.email.address
        machine = machine_sent(message.channel, message.sender, message.flags, own_address)
        decision = classify_text(
            strip_quoted(message.text),
            subject=message.subject,
            requested_type=message.requested_type,
            auto_submitted=bool(machine),
        )
        if not is_request(decision.type):
            reason = f"not radicated: {machine}" if machine else ""
            return Outcome(message, "ignored", decision, reason)
    original = originals.get(key) if key else None
    if original is not None:
        return Outcome(message, "duplicate", decision, key=key, case=original)
    return Outcome(message, "onward", decision, key=key)


def _record(session: Session, outcome: Outcome) -> bool:
    message = outcome.message
    if outcome.kind == "quarantine":
        pipeline.quarantine(session, message.id, outcome.reason)
        return True
    if outcome.kind == "follow_up":
        assert outcome.case is not None
        return pipeline.record_follow_up(session, message.id, outcome.case, outcome.reason)
    if outcome.kind in ("ignored", "command"):
        return pipeline.record_not_a_request(session, message.id, outcome.decision, outcome.reason)
    return pipeline.record_dedupe(session, message, outcome.key, outcome.case, outcome.decision)


def _moved_on(outcome: Outcome) -> MessageFacts:
    message, decision = outcome.message, outcome.decision
    if decision is not None:
        message = replace(message, type=decision.type, confidence=decision.confidence)
    return replace(message, stage="radicate", dedupe_key=outcome.key)


# -- radicate ----------------------------------------------------------------------------


def radicate(messages: list[MessageFacts]) -> None:
    """File every message of the batch in one transaction, then send the acknowledgements."""
    if not messages:
        return
    app = current_app()
    # Everything that needs no lock is decided before the transaction starts.
    prepared = [(m, _filing(m), _plans(m)) for m in messages]
    recipients = sorted({plan.recipient for _, _, (plans, _) in prepared for plan in plans})
    keys = [m.dedupe_key for m in messages]
    limit = app.settings.worker.acks_per_sender_per_hour
    filed: list[tuple[int, str]] = []
    with app.db.transaction() as session:
        # Row locks, in id order: a concurrent delivery of the same batch waits, then
        # finds the messages past this stage.
        waiting = {
            m.id
            for m in pipeline.load_many(session, [m.id for m in messages], lock=True)
            if m.stage == "radicate"
        }
        # Two copies of one request radicated at once would both pass dedupe, and a burst
        # from one sender would slip under the hourly limit: key locks, in a fixed order.
        lock_keys(session, [*(k for k in keys if k), *(f"ack-limit:{r}" for r in recipients)])
        originals = pipeline.find_duplicates(session, keys, window_start(utcnow()))
        given = outbox.acknowledgements_since(session, recipients, utcnow() - timedelta(hours=1))
        to_file: list[tuple[MessageFacts, Filing, list[AckPlan], str]] = []
        twins: list[tuple[MessageFacts, int]] = []  # the same request twice in this batch
        first_with: dict[str, int] = {}
        for message, filing, (plans, no_ack_reason) in prepared:
            if message.id not in waiting:
                continue
            key = message.dedupe_key
            original = originals.get(key) if key else None
            if original is not None:
                pipeline.record_duplicate(session, message.id, "radicate", original, key)
                filed.append((message.id, original.radicado))
                continue
            if key and key in first_with:
                twins.append((message, first_with[key]))
                continue
            if key:
                first_with[key] = len(to_file)
            plans, no_ack_reason = within_hourly_limit(plans, no_ack_reason, given, limit)
            if no_ack_reason.startswith("not acknowledged: over"):
                log.warning("acknowledgement_rate_limited", message_id=message.id, limit=limit)
            for recipient in {plan.recipient for plan in plans}:
                given[recipient] = given.get(recipient, 0) + 1
            to_file.append((message, filing, plans, no_ack_reason))
        # Numbers last: from here to the commit the year's counter is locked.
        cases = app.registry.radicate_many(session, [(m, f) for m, f, _, _ in to_file])
        outbox_ids = pipeline.record_radicated(
            session,
            [
                (message.id, case, plans, why)
                for (message, _, plans, why), case in zip(to_file, cases, strict=True)
            ],
        )
        for twin, index in twins:
            pipeline.record_duplicate(session, twin.id, "radicate", cases[index], twin.dedupe_key)
            filed.append((twin.id, cases[index].radicado))
        filed.extend((m.id, case.radicado) for (m, *_), case in zip(to_file, cases, strict=True))
    for message_id, radicado in filed:
        log.info("radicated", message_id=message_id, radicado=radicado)
        announce_outcome(message_id)
    for outbox_id in outbox_ids:
        deliver(outbox_id, inline=True)


def _filing(message: MessageFacts) -> Filing:
    assert message.type is not None  # classify set it
    return Filing(
        type=message.type,
        office=assign_office(message.type, message.text),
        filed_at=utcnow(),
        due_date=current_app().calendar.due_date(message.received_at, message.type),
        review_type=(message.confidence or 0) < 0.5,
    )


def _plans(message: MessageFacts) -> tuple[list[AckPlan], str]:
    return plan_acknowledgements(
        message.channel,
        sender=message.sender,
        reply_email=message.reply_email,
        reply_phone=message.reply_phone,
        flags=message.flags,
        own_address=current_app().settings.email.address,
    )


# -- acknowledge -------------------------------------------------------------------------


@dramatiq.actor(queue_name=QUEUE, broker=broker)
def acknowledge(outbox_id: int) -> None:
    deliver(outbox_id, inline=False)


def deliver(outbox_id: int, *, inline: bool) -> None:
    """Send one acknowledgement once (the outbox row says whether it already went).

    A temporary failure is retried with backoff: raised to dramatiq's retries from the
    `acknowledge` actor, or handed to that actor when this was the inline first attempt.
    """
    app = current_app()
    if not inline:  # inline, the radicating transaction claimed it already
        with app.db.transaction() as session:
            if not outbox.claim_outbox(session, outbox_id):
                return  # sent, failed for good, or being sent by another worker
    with app.db.read() as session:
        pending = outbox.load_claimed(session, outbox_id)
    if pending is None:
        return
    ack = render_acknowledgement(pending, app.settings)
    try:
        provider_ref = sender_for(pending.channel, app).send(ack)
    except ChannelError as error:
        with app.db.transaction() as session:
            outbox.record_send_failure(session, outbox_id, str(error), final=not error.retryable)
        if not error.retryable:
            log.warning("acknowledgement_failed", outbox_id=outbox_id, radicado=ack.radicado)
        elif inline:
            # A rate limit says when it resets (Telegram's retry_after): not before that.
            delay = max(ACK_RETRY_DELAY_MS, int((error.retry_after or 0) * 1000))
            acknowledge.send_with_options(args=(outbox_id,), delay=delay)
        else:
            raise
        return
    with app.db.transaction() as session:
        outbox.record_sent(session, outbox_id, provider_ref)
    log.info("acknowledged", outbox_id=outbox_id, radicado=ack.radicado, channel=ack.channel)


# -- what exhausted its retries ----------------------------------------------------------


def _quarantine_failed(message_ids: list[int] | int, reason: str) -> None:
    """Dead letter of `advance` (always one message by then): the reason names its stage."""
    ids = [message_ids] if isinstance(message_ids, int) else message_ids
    app = current_app()
    with app.db.transaction() as session:
        for message in pipeline.load_many(session, ids):
            stage_reason = reason.replace("advance failed", f"{message.stage} failed", 1)
            pipeline.quarantine(session, message.id, stage_reason)
    for message_id in ids:
        announce_outcome(message_id)


def _fail_acknowledgement(outbox_id: int, reason: str) -> None:
    with current_app().db.transaction() as session:
        outbox.record_send_failure(session, outbox_id, reason, final=True)


dead_letter_handlers.update({"advance": _quarantine_failed, "acknowledge": _fail_acknowledgement})
