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

from ventanilla.adapters.base import Acknowledgement
from ventanilla.adapters.registry import sender_for
from ventanilla.app import current_app
from ventanilla.docsys.registry import Filing
from ventanilla.errors import ChannelError
from ventanilla.logs import log
from ventanilla.routing.acknowledgements import (
    AckPlan,
    limited_origin,
    machine_sent,
    plan_acknowledgements,
    within_hourly_limit,
    within_origin_limit,
)
from ventanilla.routing.classify import Classification, Item, classify_many, language_of
from ventanilla.routing.commands import answer_command, wanted_radicado
from ventanilla.routing.dedupe import dedupe_key
from ventanilla.routing.faq import match_faq
from ventanilla.routing.followups import follow_up_of, quoted_radicados, thread_radicados
from ventanilla.routing.mentions import (
    SOCIAL_CHANNELS,
    MentionClass,
    feed_class,
    mention_classes,
    public_decision,
)
from ventanilla.routing.offices import assign_office
from ventanilla.routing.priority import due_date, is_priority, priority_flags
from ventanilla.routing.review import review_reason
from ventanilla.routing.similarity import prepare_minhash
from ventanilla.routing.terms import prepare_holidays
from ventanilla.routing.text import strip_quoted
from ventanilla.routing.types import is_request
from ventanilla.store import outbox, pipeline
from ventanilla.store.locks import lock_keys
from ventanilla.store.mentions import MentionRow, record_mentions
from ventanilla.store.outbox import Reply
from ventanilla.store.pipeline import CaseFacts, CaseState, MessageFacts
from ventanilla.store.schema import utcnow
from ventanilla.templates import render_acknowledgement, render_command_reply
from ventanilla.workers import dedupe
from ventanilla.workers.broker import broker, dead_letter_handlers
from ventanilla.workers.budget import CpuBudget
from ventanilla.workers.notify import announce_outcome, announce_outcomes

QUEUE = "pipeline"
# Messages per `advance` call: big enough to share transactions, small enough to spread a
# backlog over every worker thread.
BATCH = 25
# First retry of an acknowledgement whose inline attempt failed for a temporary reason.
ACK_RETRY_DELAY_MS = 2_000


def warm_before_fork() -> None:
    """What each worker process would build at its first message, built in the process
    dramatiq forks them from (its imports included): datasketch and its permutations, and
    the holidays of this year and the next."""
    prepare_minhash()
    prepare_holidays()


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
    app = current_app()
    with app.db.read() as session:
        messages = pipeline.load_many(session, message_ids)
    # Each message's CPU across its stages: one hostile text cannot hold up the batch.
    budget = CpuBudget(app.settings.worker.message_cpu_seconds)
    onward = classify([m for m in messages if m.stage in ("classify", "dedupe")], budget)
    radicate(onward + [m for m in messages if m.stage == "radicate"], budget)


# -- classify and dedupe -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What classify and dedupe decided for one message (applied in one transaction)."""

    message: MessageFacts
    kind: str  # quarantine, follow_up, ignored, review, mention, command, onward
    decision: Classification | None = None
    reason: str = ""
    key: str | None = None
    case: CaseFacts | None = None
    # A social message's row in the communications feed.
    mention: MentionRow | None = None
    # A bot command's answer, created with the outcome and sent after the commit.
    reply: Reply | None = None


@dataclass(frozen=True)
class Reading:
    """What the classifiers say of one message: its type, and its feed class if social."""

    decision: Classification
    mention: MentionClass | None = None


def classify(messages: list[MessageFacts], budget: CpuBudget) -> list[MessageFacts]:
    """Decide each message, write every outcome at once; returns those to radicate."""
    if not messages:
        return []
    app = current_app()
    keys = {m.id: budget.run(m.id, "classify", lambda m=m: _key(m)) for m in messages}
    candidates = {
        m.id: (thread_radicados(m.references), quoted_radicados(m.subject, m.text))
        for m in messages
    }
    asked = {_asked_about(m) for m in messages} - {""}
    with app.db.read() as session:
        cases = pipeline.cases_by_radicado(
            session, sorted({r for thread, quoted in candidates.values() for r in thread + quoted})
        )
        attached = pipeline.with_attachments(session, [m.id for m in messages])
        states = pipeline.case_states(session, sorted(asked))
    to_read = [m for m in messages if m.stage == "classify" and not _is_command(m)]
    with budget.share({m.id: len(m.subject) + len(m.text) for m in to_read}, "classify"):
        readings = read(to_read, attached)
    outcomes = [
        Outcome(m, "quarantine", reason=budget.overrun[m.id])
        if m.id in budget.overrun
        else _command(m, states)
        if _is_command(m)
        else _with_mention(
            _decide(m, keys[m.id], *candidates[m.id], cases, readings.get(m.id)),
            readings.get(m.id),
        )
        for m in messages
    ]
    onward = []
    replies: list[int] = []
    with app.db.transaction() as session:
        moved = pipeline.record_onward(
            session, [(o.message, o.key, o.decision) for o in outcomes if o.kind == "onward"]
        )
        for outcome in outcomes:
            recorded = outcome.message.id in moved or _record(session, outcome)
            if recorded and outcome.kind == "onward":
                onward.append(outcome)
            if recorded and outcome.reply is not None:
                replies += outbox.add_replies(session, [outcome.reply], claimed=True)
        record_mentions(session, [o.mention for o in outcomes if o.mention is not None])
    for outcome in outcomes:
        log.info("classified", message_id=outcome.message.id, outcome=outcome.kind)
    announce_outcomes([o.message.id for o in outcomes if o.kind != "onward"])
    deliver_claimed(replies)
    return [_moved_on(outcome) for outcome in onward]


def read(messages: list[MessageFacts], attached: set[int]) -> dict[int, Reading]:
    """Classify a batch at once: one model call for all of it (the costly part)."""
    if not messages:
        return {}
    app = current_app()
    own_address = app.settings.email.address
    items = [
        Item(
            strip_quoted(m.text),
            m.subject,
            m.requested_type,
            bool(machine_sent(m.channel, m.sender, m.flags, own_address)),
            m.id in attached,
            deliberate=m.channel == "web",
        )
        for m in messages
    ]
    decisions = classify_many(
        items,
        model=app.text_model("pqrsdf"),
        rules=app.classifier_rules,
        review_below=app.settings.classifier.review_below,
        presume_below=app.settings.classifier.presume_request_below,
    )
    readings = {m.id: Reading(d) for m, d in zip(messages, decisions, strict=True)}
    social = [m for m in messages if m.channel in SOCIAL_CHANNELS]
    texts = [strip_quoted(m.text) for m in social]
    for message, mention in zip(
        social, mention_classes(texts, app.text_model("mentions")), strict=True
    ):
        decision = readings[message.id].decision
        if message.channel == "x" and message.flags.get("public"):
            decision = public_decision(decision, mention)
        readings[message.id] = Reading(decision, mention)
    return readings


def _with_mention(outcome: Outcome, reading: Reading | None) -> Outcome:
    """The feed row of a social message that was read (not quarantined or skipped)."""
    message = outcome.message
    if reading is None or reading.mention is None or outcome.kind in ("quarantine",):
        return outcome
    if message.flags.get("skip"):
        return outcome
    decision = outcome.decision or reading.decision
    flags = message.flags
    row = MentionRow(
        message_id=message.id,
        channel=message.channel,
        klass=feed_class(decision, reading.mention),
        confidence=reading.mention.confidence,
        author=str(flags.get("username") or message.sender),
        author_name=message.sender_name,
        url=str(flags.get("url") or ""),
        public=bool(flags.get("public")),
        posted_at=message.received_at,
    )
    return replace(outcome, mention=row)


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
    reading: Reading | None = None,
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
        assert reading is not None  # read() reads every message at this stage
        own_address = current_app().settings.email.address
        machine = machine_sent(message.channel, message.sender, message.flags, own_address)
        decision = reading.decision
        if not is_request(decision.type):
            return _not_filed(message, decision, machine)
    # Duplicates are decided when radicating, under the person's lock (workers/dedupe.py).
    return Outcome(message, "onward", decision, key=key)


def _not_filed(message: MessageFacts, decision: Classification, machine: str) -> Outcome:
    """A message that is not radicated: only transport evidence (`machine`) ignores it;
    a public X mention that is chatter stays in the communications feed; anything else the
    text model doubts waits, visibly, for a person (the review list)."""
    if machine:
        return Outcome(message, "ignored", decision, f"not radicated: {machine}")
    if message.channel == "x" and message.flags.get("public"):
        return Outcome(message, "mention", decision, review_reason(decision, public=True))
    return Outcome(message, "review", decision, review_reason(decision))


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
    if outcome.kind in ("review", "mention"):
        return pipeline.record_not_a_request(
            session, message.id, outcome.decision, outcome.reason, status=outcome.kind
        )
    return False  # onward: recorded for the whole batch by `pipeline.record_onward`


def _moved_on(outcome: Outcome) -> MessageFacts:
    message, decision = outcome.message, outcome.decision
    if decision is not None:
        message = replace(
            message,
            type=decision.type,
            confidence=decision.confidence,
            features=list(decision.features),
        )
    return replace(message, stage="radicate", dedupe_key=outcome.key)


# -- radicate ----------------------------------------------------------------------------


def radicate(messages: list[MessageFacts], budget: CpuBudget) -> None:
    """File every message of the batch in one transaction, then send the acknowledgements."""
    if not messages:
        return
    app = current_app()
    # Everything that needs no lock is decided before the transaction starts.
    filings = {m.id: budget.run(m.id, "radicate", lambda m=m: _filing(m)) for m in messages}
    with budget.share({m.id: len(m.text) for m in messages}, "radicate"):
        marked = dedupe.marks(messages, app.settings.twilio.region)
    prepared = [(m, filing, _plans(m)) for m in messages if (filing := filings[m.id]) is not None]
    recipients = sorted({plan.recipient for _, _, (plans, _) in prepared for plan in plans})
    limit = app.settings.worker.acks_per_sender_per_hour
    origin_limit = app.settings.worker.acks_per_origin_per_hour
    origin_of = {m.id: limited_origin(m.channel, m.flags) for m in messages}
    origins = sorted(set(origin_of.values()) - {""})
    filed: list[tuple[int, str]] = []
    with app.db.transaction() as session:
        # Row locks, in id order: a concurrent delivery of the same batch waits, then
        # finds the messages past this stage.
        waiting = [
            m
            for m in pipeline.load_many(session, [m.id for m in messages], lock=True)
            if m.stage == "radicate"
        ]
        for message in waiting:
            if message.id in budget.overrun:
                pipeline.quarantine(session, message.id, budget.overrun[message.id])
        waiting = [m for m in waiting if m.id not in budget.overrun]
        batch = dedupe.BatchDedupe(session, waiting, marked, app.settings.dedupe)
        # Two copies of one request radicated at once would both pass dedupe, and a burst
        # from one sender would slip under the hourly limit: locks, in a fixed order.
        lock_keys(
            session,
            [
                *batch.lock_keys(),
                *(f"ack-limit:{r}" for r in recipients),
                *(f"ack-origin:{o}" for o in origins),
            ],
        )
        batch.find_originals(session)
        hour_ago = utcnow() - timedelta(hours=1)
        given = outbox.acknowledgements_since(session, recipients, hour_ago)
        by_origin = outbox.acknowledgements_by_origin(session, origins, hour_ago)
        to_file: list[tuple[MessageFacts, Filing, list[AckPlan], str]] = []
        twins: list[tuple[MessageFacts, int, str, list[AckPlan]]] = []  # the same request twice
        notices: list[Reply] = []
        held: list[Reply] = []  # notices naming a case that has no number yet
        for message, filing, (plans, no_ack_reason) in prepared:
            if message.id not in batch.messages:
                continue
            # A duplicate notice is an answer too: it counts against the hourly limit.
            plans, no_ack_reason = within_hourly_limit(plans, no_ack_reason, given, limit)
            origin = origin_of[message.id]
            plans, no_ack_reason = within_origin_limit(
                plans, no_ack_reason, origin, by_origin, origin_limit
            )
            if no_ack_reason.startswith("not acknowledged: over"):
                log.warning("acknowledgement_rate_limited", message_id=message.id)
            for recipient in {plan.recipient for plan in plans}:
                given[recipient] = given.get(recipient, 0) + 1
            if plans and origin:
                by_origin[origin] = by_origin.get(origin, 0) + 1
            if original := batch.original_of(message):
                case, why = original
                pipeline.record_duplicate(
                    session, message.id, "radicate", case, message.dedupe_key, why=why
                )
                # An original still being filed (no number yet): the notice waits with it.
                (held if provisional(case) else notices).extend(
                    dedupe.notices(message.id, case.id, plans)
                )
                filed.append((message.id, case.radicado))
            elif twin := batch.twin_of(message):
                twins.append((message, *twin, plans))
            else:
                batch.will_file(message, len(to_file))
                to_file.append((message, filing, plans, no_ack_reason))
        # The cases are inserted now and numbered last: from the numbering to the commit
        # the year's counter is locked, so nothing else may be written in between.
        reserved = app.registry.reserve(session, [(m, f) for m, f, _, _ in to_file])
        outbox_ids = pipeline.record_radicated(
            session,
            [
                (message.id, case, plans, why)
                for (message, _, plans, why), case in zip(to_file, reserved.cases, strict=True)
            ],
            held=app.registry.remote,
        )
        batch.index(session, [(m, c) for (m, *_), c in zip(to_file, reserved.cases, strict=True)])
        cases = app.registry.number(session, reserved)
        for twin, index, why, plans in twins:
            original_case = cases[index]
            pipeline.record_duplicate(
                session, twin.id, "radicate", original_case, twin.dedupe_key, why=why
            )
            (held if provisional(original_case) else notices).extend(
                dedupe.notices(twin.id, original_case.id, plans)
            )
            filed.append((twin.id, original_case.radicado))
        outbox_ids += outbox.add_replies(session, notices, claimed=True)
        outbox.add_replies(session, held, claimed=True, held=True)
        filed.extend((m.id, case.radicado) for (m, *_), case in zip(to_file, cases, strict=True))
    for message_id, radicado in filed:
        log.info("radicated", message_id=message_id, radicado=radicado)
    overrun = sorted(budget.overrun.keys() & {m.id for m in messages})
    for message_id in overrun:
        log.warning("over_cpu_budget", message_id=message_id)
    announce_outcomes([message_id for message_id, _ in filed] + overrun)
    deliver_claimed(outbox_ids)
    if app.registry.remote:  # the filing step asks the document system for the numbers
        from ventanilla.workers.filing import enqueue

        enqueue(sorted(reserved.pending))
    group_petitions([case.id for case in cases])


def provisional(case: CaseFacts) -> bool:
    """A case reserved but not yet numbered by a remote registry (docsys/filing.py)."""
    return pipeline.is_provisional(case.radicado)


def group_petitions(case_ids: list[int]) -> None:
    """Compare the batch's new cases for a mass petition, now that they are committed.

    After the acknowledgements: grouping changes no answer the citizen gets. A failure
    here loses nothing: the cases stay pending and the reconciler compares them.
    """
    if not case_ids:
        return
    app = current_app()
    try:
        with app.db.transaction() as session:
            dedupe.group_petitions(session, app.settings.dedupe, case_ids)
    except Exception:
        log.exception("petition_grouping_deferred", cases=len(case_ids))


def _filing(message: MessageFacts) -> Filing:
    """Everything decided about a case before it is numbered: office, flags, terms, FAQ."""
    assert message.type is not None  # classify set it
    app = current_app()
    settings = app.settings
    own_words = strip_quoted(message.text)
    # Nobody to answer: no name, and no address on any channel.
    anonymous = not (
        message.sender_name or message.sender or message.reply_email or message.reply_phone
    )
    flags = priority_flags(
        own_words,
        subject=message.subject,
        sender_name=message.sender_name,
        anonymous=anonymous,
        # The classifier's reading names a foreign language; without one, read it here.
        language=language_of(message.features) if message.features else None,
    )
    office = assign_office(message.type, f"{message.subject}\n{own_words}", app.office_rules)
    faq = match_faq(
        f"{message.subject}\n{own_words}",
        app.faqs,
        settings.faq.min_score,
        request_type=message.type,
    )
    reasons = {f"flag:{flag.slug}": flag.reason for flag in flags}
    reasons["office"] = office.reason
    if faq is not None:
        reasons["faq"] = f"{faq.faq.id}: {faq.reason} (score {faq.score})"
    return Filing(
        type=message.type,
        office=office.office,
        filed_at=utcnow(),
        due_date=due_date(
            app.calendar,
            message.received_at,
            message.type,
            flags,
            settings.priority.term_days,
        ),
        review_type=needs_review(message, settings.classifier.review_below),
        flags=tuple(flag.slug for flag in flags),
        priority=is_priority(flags),
        competent_entity=office.competent_entity,
        forward_due=(
            app.calendar.forwarding_date(message.received_at) if office.competent_entity else None
        ),
        faq_id=faq.faq.id if faq is not None else "",
        reasons=reasons,
    )


def needs_review(message: MessageFacts, review_below: float) -> bool:
    """ "Revisar tipo": the classifier was not sure, or presumed a request."""
    return (
        (message.confidence or 0) < review_below
        or "presumed:request" in message.features
        or bool(language_of(message.features))  # another language: a person reads it
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
    A rate limit that says when it resets (`retry_after`) is retried at that time.
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
    provider_ref = _send(ack, outbox_id, inline=inline)
    if provider_ref is not None:
        _record_one(outbox_id, provider_ref, ack)


def deliver_claimed(outbox_ids: Sequence[int]) -> None:
    """Send the acknowledgements a transaction just claimed, read in one query.

    What reaches a person (SMTP, a chat, an SMS) is recorded right after it is sent: a
    worker killed mid-batch may repeat one acknowledgement, never a batch of them. What a
    resend only replaces (the outbox folder's files) is recorded in one write for the
    batch: one write each queued every worker behind SQLite's write lock. What was sent
    is recorded even when a later send raises.
    """
    if not outbox_ids:
        return
    app = current_app()
    with app.db.read() as session:
        pending = outbox.load_claimed_many(session, outbox_ids)
    sent: list[tuple[int, str]] = []
    acks: list[Acknowledgement] = []
    try:
        for outbox_id in outbox_ids:
            if (row := pending.get(outbox_id)) is None:
                continue
            ack = render_acknowledgement(row, app.settings)
            provider_ref = _send(ack, outbox_id, inline=True)
            if provider_ref is None:
                continue
            if getattr(sender_for(ack.channel, app), "resend_replaces", False):
                sent.append((outbox_id, provider_ref))
                acks.append(ack)
            else:
                _record_one(outbox_id, provider_ref, ack)
    finally:
        _record_sent(sent, acks)


def _record_one(outbox_id: int, provider_ref: str, ack: Acknowledgement) -> None:
    """What reached a person, recorded before anything else is sent: on PostgreSQL one
    statement in autocommit (the row and its audit entry), on SQLite one short UPDATE
    and its audit row on a bare connection, the statements prepared once."""
    db = current_app().db
    if db.engine.dialect.name == "postgresql":
        with db.autocommit() as connection:
            outbox.record_sent_at_once(connection, [(outbox_id, provider_ref)])
    else:
        with db.connection() as connection:
            outbox.record_one_sent(connection, outbox_id, provider_ref)
    log.info("acknowledged", outbox_id=outbox_id, radicado=ack.radicado, channel=ack.channel)


def _record_sent(sent: Sequence[tuple[int, str]], acks: Sequence[Acknowledgement]) -> None:
    """A batch whose resend only replaces (the outbox folder's files), in one write."""
    if not sent:
        return
    db = current_app().db
    if db.engine.dialect.name == "postgresql":
        with db.autocommit() as connection:
            outbox.record_sent_at_once(connection, sent)
    else:
        with db.transaction() as session:
            outbox.record_sent_many(session, sent)
    for (outbox_id, _), ack in zip(sent, acks, strict=True):
        log.info("acknowledged", outbox_id=outbox_id, radicado=ack.radicado, channel=ack.channel)


def _send(ack: Acknowledgement, outbox_id: int, *, inline: bool) -> str | None:
    """The provider's reference, or None when the send failed and its retry is arranged."""
    app = current_app()
    try:
        return sender_for(ack.channel, app).send(ack)
    except ChannelError as error:
        # A rate limit says when it resets: try again then, not sooner (nor later).
        wait = error.retry_after if error.retryable else None
        with app.db.transaction() as session:
            outbox.record_send_failure(
                session, outbox_id, str(error), final=not error.retryable, wait=wait
            )
        if not error.retryable:
            log.warning("acknowledgement_failed", outbox_id=outbox_id, radicado=ack.radicado)
        elif wait is not None or inline:
            # A rate limit says when it resets (X's reset, Telegram's retry_after): not
            # before that; else the first retry of an inline send comes soon.
            delay = (
                ACK_RETRY_DELAY_MS if wait is None else max(ACK_RETRY_DELAY_MS, int(wait * 1000))
            )
            acknowledge.send_with_options(args=(outbox_id,), delay=delay)
        else:
            raise
        return None


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
