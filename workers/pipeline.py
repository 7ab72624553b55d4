"""The pipeline: classify (with dedupe) → radicate → acknowledge.

One actor, `advance`, takes a message through the stages it still has to go: each stage
reads what it needs, calls a pure decision from `routing/`, and writes its outcome in one
short transaction conditional on the stage (`UPDATE ... WHERE stage = ...`), so a
re-delivered or concurrent actor message changes nothing. Running the stages in one actor
call, instead of one queue hop each, is what keeps a backlog of thousands moving: a hop
costs more than the stage. A failure retries from the stage that failed; the reconciler
re-sends whatever a crash left in the middle.

The acknowledgement is sent right after radicating; a temporary failure is retried by the
`acknowledge` actor with backoff.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import dramatiq
from sqlalchemy.orm import Session

from ventanilla.adapters.registry import sender_for
from ventanilla.app import current_app
from ventanilla.docsys.registry import Filing
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.routing.acknowledgements import AckPlan, machine_sent, plan_acknowledgements
from ventanilla.routing.classify import Classification
from ventanilla.routing.classify import classify as classify_text
from ventanilla.routing.dedupe import dedupe_key, window_start
from ventanilla.routing.followups import follow_up_of, quoted_radicados, thread_radicados
from ventanilla.routing.offices import assign_office
from ventanilla.routing.text import strip_quoted
from ventanilla.routing.types import is_request
from ventanilla.store import pipeline
from ventanilla.store.locks import lock_key
from ventanilla.store.pipeline import MessageFacts
from ventanilla.store.schema import utcnow
from ventanilla.templates import render_acknowledgement
from ventanilla.workers.broker import broker, dead_letter_handlers
from ventanilla.workers.notify import announce_outcome

QUEUE = "pipeline"
# First retry of an acknowledgement whose inline attempt failed for a temporary reason.
ACK_RETRY_DELAY_MS = 2_000


@dramatiq.actor(queue_name=QUEUE, broker=broker)
def advance(message_id: int) -> None:
    """Run the stages `message_id` still has to go through, each committed on its own."""
    with current_app().db.read() as session:
        message = pipeline.load(session, message_id)
    while message is not None and message.stage in STAGES:
        message = STAGES[message.stage](message)


def classify(message: MessageFacts) -> MessageFacts | None:
    """Quarantine, follow-up, not a request, or a request (then dedupe in the same write)."""
    if message.flags.get("quarantine"):
        # Kept raw by its adapter because it could not be read: staff look at it.
        _quarantine(message.id, str(message.flags["quarantine"]))
        return None
    if _attach_follow_up(message):
        return None
    app = current_app()
    machine = machine_sent(
        message.channel, message.sender, message.flags, app.settings.email.address
    )
    decision = classify_text(
        strip_quoted(message.text),
        subject=message.subject,
        requested_type=message.requested_type,
        auto_submitted=bool(machine),
    )
    log.info("classified", message_id=message.id, type=decision.type)
    if not is_request(decision.type):
        reason = f"not radicated: {machine}" if machine else ""
        with app.db.transaction() as session:
            pipeline.record_classification(session, message.id, decision, False, reason)
        announce_outcome(message.id)
        return None
    return dedupe(message, decision)


def dedupe(message: MessageFacts, decision: Classification | None = None) -> MessageFacts | None:
    """Same sender, same request, within the window: the existing radicado, no new one.

    Called straight after classify (one write for both), or on its own for a message a
    crash left at this stage.
    """
    key = dedupe_key(message.sender or message.reply_email or message.reply_phone, message.text)
    app = current_app()
    with app.db.read() as session:
        original = pipeline.find_duplicate(session, key, window_start(utcnow()), message.id)
    with app.db.transaction() as session:
        moved = pipeline.record_dedupe(session, message, key, original, decision)
    if not moved:
        return None
    if original is not None:
        log.info("duplicate", message_id=message.id, radicado=original.radicado)
        announce_outcome(message.id)
        return None
    if decision is not None:
        message = dataclasses.replace(message, type=decision.type, confidence=decision.confidence)
    return dataclasses.replace(message, stage="radicate", dedupe_key=key)


def _attach_follow_up(message: MessageFacts) -> bool:
    """Attach a reply to our acknowledgement, or a message quoting its own radicado."""
    thread = thread_radicados(message.references)
    quoted = quoted_radicados(message.subject, message.text)
    if not thread and not quoted:
        return False
    app = current_app()
    with app.db.read() as session:
        cases = pipeline.cases_by_radicado(session, [*thread, *quoted])
    senders = {radicado: sender for radicado, (_, sender) in cases.items()}
    found = follow_up_of(thread, quoted, message.sender, senders)
    if found is None:
        return False
    radicado, why = found
    with app.db.transaction() as session:
        moved = pipeline.record_follow_up(session, message.id, cases[radicado][0], why)
    if moved:
        log.info("follow_up", message_id=message.id, radicado=radicado)
        announce_outcome(message.id)
    return True


def radicate(message: MessageFacts) -> None:
    app = current_app()
    assert message.type is not None  # classify set it
    # Everything that needs no lock is decided before the transaction starts.
    filing = Filing(
        type=message.type,
        office=assign_office(message.type, message.text),
        filed_at=utcnow(),
        due_date=app.calendar.due_date(message.received_at, message.type),
        review_type=(message.confidence or 0) < 0.5,
    )
    plans, no_ack_reason = plan_acknowledgements(
        message.channel,
        sender=message.sender,
        reply_email=message.reply_email,
        reply_phone=message.reply_phone,
        flags=message.flags,
        own_address=app.settings.email.address,
    )
    outbox_ids: list[int] | None = []
    with app.db.transaction() as session:
        # Lock the row: a concurrent delivery of this same message waits, then stops here.
        locked = pipeline.load(session, message.id, lock=True)
        if locked is None or locked.stage != "radicate":
            return None
        # Two copies of one request radicated at once would both pass dedupe: the key lock
        # makes the second wait for the first and then see its case.
        lock_key(session, message.dedupe_key)
        original = pipeline.find_duplicate(
            session, message.dedupe_key, window_start(utcnow()), message.id
        )
        if original is not None:
            pipeline.record_duplicate(session, message.id, "radicate", original, message.dedupe_key)
            radicado = original.radicado
        else:
            case = app.registry.radicate(session, message, filing)
            plans, no_ack_reason = _within_rate_limit(session, plans, no_ack_reason)
            outbox_ids = pipeline.record_radicated(session, message.id, case, plans, no_ack_reason)
            radicado = case.radicado
    log.info("radicated", message_id=message.id, radicado=radicado)
    announce_outcome(message.id)
    for outbox_id in outbox_ids or []:
        deliver(outbox_id, inline=True)
    return None


def _within_rate_limit(
    session: Session, plans: list[AckPlan], no_ack_reason: str
) -> tuple[list[AckPlan], str]:
    """DESIGN rule 4: past the hourly limit a sender gets silence (and staff a log line).

    Counted inside the radicating transaction, under a lock per recipient, so a burst of
    requests from one sender handled by parallel workers cannot all slip under the limit.
    """
    if not plans:
        return plans, no_ack_reason
    limit = current_app().settings.worker.acks_per_sender_per_hour
    recipients = sorted({plan.recipient for plan in plans})
    for recipient in recipients:
        lock_key(session, f"ack-limit:{recipient}")
    given = pipeline.acknowledgements_since(session, recipients, utcnow() - timedelta(hours=1))
    allowed = [plan for plan in plans if given.get(plan.recipient, 0) < limit]
    if len(allowed) == len(plans):
        return plans, no_ack_reason
    log.warning("acknowledgement_rate_limited", channels=[p.channel for p in plans], limit=limit)
    return allowed, f"not acknowledged: over {limit} acknowledgements to this sender in an hour"


@dramatiq.actor(queue_name=QUEUE, broker=broker)
def acknowledge(outbox_id: int) -> None:
    deliver(outbox_id, inline=False)


def deliver(outbox_id: int, *, inline: bool) -> None:
    """Send one acknowledgement once (the outbox row says whether it already went).

    A temporary failure is retried with backoff: raised to dramatiq's retries from the
    `acknowledge` actor, or handed to that actor when this was the inline first attempt.
    """
    app = current_app()
    with app.db.read() as session:
        pending = pipeline.claim_outbox(session, outbox_id)
    if pending is None:
        return
    ack = render_acknowledgement(pending, app.settings)
    try:
        provider_ref = sender_for(pending.channel, app).send(ack)
    except ChannelError as error:
        with app.db.transaction() as session:
            pipeline.record_send_failure(session, outbox_id, str(error), final=not error.retryable)
        if not error.retryable:
            log.warning("acknowledgement_failed", outbox_id=outbox_id, radicado=ack.radicado)
        elif inline:
            acknowledge.send_with_options(args=(outbox_id,), delay=ACK_RETRY_DELAY_MS)
        else:
            raise
        return
    with app.db.transaction() as session:
        pipeline.record_sent(session, outbox_id, provider_ref)
    log.info("acknowledged", outbox_id=outbox_id, radicado=ack.radicado, channel=ack.channel)


def _quarantine(message_id: int, reason: str) -> None:
    with current_app().db.transaction() as session:
        pipeline.quarantine(session, message_id, reason)
    announce_outcome(message_id)


def _quarantine_failed(message_id: int, reason: str) -> None:
    """Dead letter of `advance`: the reason names the stage that kept failing."""
    with current_app().db.read() as session:
        message = pipeline.load(session, message_id)
    stage = message.stage if message is not None else "advance"
    _quarantine(message_id, reason.replace("advance failed", f"{stage} failed", 1))


def _fail_acknowledgement(outbox_id: int, reason: str) -> None:
    with current_app().db.transaction() as session:
        pipeline.record_send_failure(session, outbox_id, reason, final=True)


STAGES = {"classify": classify, "dedupe": dedupe, "radicate": radicate}
dead_letter_handlers.update({"advance": _quarantine_failed, "acknowledge": _fail_acknowledgement})
