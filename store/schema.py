"""The store's tables: the one place that knows the schema (migrations mirror it).

Timestamps are stored in UTC and come back time-zone aware on every backend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# What became of a message (the `status` of `ventanilla messages list`). Its `stage` is
# the next actor to run: classify, dedupe, radicate, or done (the reconciler re-sends the
# others). `ignored` only on transport evidence (auto-reply headers, bounces, lists, our own
# loop) or a bot command; `review` waits for a person (the text model doubted it is a
# request), who files it or `dismissed` it; `mention` is a public X post that is chatter,
# kept in the communications feed. An outbox row is pending, sent, failed or skipped; a
# case is radicado, respondido, trasladado or anulado.
MESSAGE_STATUSES = (
    "pending",
    "case",
    "follow_up",
    "duplicate",
    "review",
    "dismissed",
    "mention",
    "ignored",
    "quarantined",
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        converted = value.astimezone(UTC)
        return converted.replace(tzinfo=None) if dialect.name == "sqlite" else converted

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id", name="uq_messages_channel_provider"),
        Index("ix_messages_origin_received_at", "origin", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # The client address a web request came from (as the trusted proxy reports it): its
    # acknowledgements are limited per address too (worker.acks_per_origin_per_hour).
    origin: Mapped[str] = mapped_column(String(64), default="", server_default="")
    provider_id: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sender: Mapped[str] = mapped_column(String(320), default="")
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    reply_email: Mapped[str] = mapped_column(String(320), default="")
    reply_phone: Mapped[str] = mapped_column(String(32), default="")
    requested_type: Mapped[str] = mapped_column(String(20), default="")
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    flags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Loaded only when asked for: the pipeline stages never need the raw bytes.
    raw: Mapped[bytes] = mapped_column(LargeBinary, default=b"", deferred=True)
    stage: Mapped[str] = mapped_column(String(16), default="classify", index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    features: Mapped[list[str]] = mapped_column(JSON, default=list)
    dedupe_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # No foreign key: cases already point at messages, and a cycle would break migrations.
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # The citizen behind the sender, once identities are linked across channels.
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("year", "number", name="uq_cases_year_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    radicado: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    # One case per message: a retried radicate finds it instead of taking a new number.
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_date: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="radicado")
    office: Mapped[str] = mapped_column(String(120), default="")
    review_type: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    annul_reason: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Priority and review flags (routing/priority.py slugs: nna, periodista, ...).
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Ley 1755 art. 21: the entity that is competent, and the last day to forward it there.
    competent_entity: Mapped[str] = mapped_column(String(200), default="", server_default="")
    forward_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    # What staff did: forwarded (trasladado) to whom and when; access to information denied.
    forwarded_to: Mapped[str] = mapped_column(String(200), default="", server_default="")
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    access_denied: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Art. 22 Ley 1755: analogous petitions of many citizens grouped for one answer.
    # No foreign key: adding one rebuilds `cases` on SQLite, which its children forbid.
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # The frequent question whose official answer the acknowledgement carried, if any.
    faq_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The secret of the status link sent in the acknowledgement (`/estado/{radicado}?c=`):
    # random per case, so knowing a radicado (they are sequential) shows nothing.
    status_token: Mapped[str] = mapped_column(String(32), default="", server_default="")


class Filing(Base):
    """A case's filing in a remote document system (docsys.backend orfeo): the step that
    asks for the radicado outside our transaction (docsys/filing.py).

    Written with the case, before any call: `reference` is unique and is what Orfeo
    stores in RADI_CUENTAI (varchar 20), so a lost answer can be looked up by it.
    `status`: pending (to call when `next_attempt_at` is due), calling (a worker is
    asking), unknown (the answer was lost: ask Orfeo by reference before anything else),
    uncertain (no lookup configured: a clerk decides, "resultado incierto en Orfeo"),
    filed (`number` is the case's radicado), refused (Orfeo's text in `last_error`).
    """

    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    backend: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The number the document system gave ("" until filed).
    number: Mapped[str] = mapped_column(String(40), default="")
    # Attachments sent as anexos so far (crearAnexo, in the attachments' id order).
    annexes_sent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Counter(Base):
    """The per-year radicado consecutive, moved in the transaction that inserts the case."""

    __tablename__ = "counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Outbox(Base):
    """Everything we send, once: the unique `key` is the guarantee.

    `kind` says what it is: `ack` (a case's acknowledgement on a channel), `public_reply`
    (the public answer to an X mention: radicado only), `duplicate` (a repeated request
    told its existing radicado), `reply` (a bot command's answer, text in `body`),
    `alert` and `digest` (notifications to staff). Keys: `case:{case}:{channel}:{kind}`
    for a case's rows, `message:{message}:{kind}` for a message's, `{kind}:{name}` else.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        # The per-sender hourly limit on acknowledgements counts by these two.
        Index("ix_outbox_recipient_created_at", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16), default="ack", server_default="ack")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    # The message this answers (the case's own, a duplicate, a command); none for alerts.
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # Text decided when the row was made (command replies, alerts); "" renders a template.
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider_ref: Mapped[str] = mapped_column(String(255), default="", index=True)
    # What the provider reported afterwards (Twilio: queued, sent, delivered, failed...).
    delivery: Mapped[str] = mapped_column(String(16), default="", server_default="")
    delivery_error: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Checkpoint(Base):
    """Where each channel's intake stopped (IMAP UID, Telegram offset, X since_id...)."""

    __tablename__ = "checkpoints"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text, default="")
    # Messages still waiting at the source when the cursor was saved (a backlog's progress).
    backlog: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """Append-only trail of every state change (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Mention(Base):
    """A social message (X mention or DM, Telegram chat) as the communications team sees it.

    Every one is listed, whether it became a case (its message's case) or not; `klass`
    is the feed's class (routing/mentions.py: elogio, queja_publica, pregunta, prensa,
    spam, otro, or `solicitud` when it was a PQRSDF).
    """

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    klass: Mapped[str] = mapped_column(String(20), index=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    author: Mapped[str] = mapped_column(String(200), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    # Public (an X mention) or private (a DM, a Telegram chat).
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Alert(Base):
    """A notification raised once per `key` (a mention spike in an hour, a daily digest)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TrainingExample(Base):
    """A labelled text for the classifier: a staff correction, kept for retraining."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(32), default="correction")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Person(Base):
    """One citizen, however many channels they write from (identities point here)."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when two persons turned out to share an identity: this one was merged into that
    # (older) one, and everything that pointed here was moved there.
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class Identity(Base):
    """A way a citizen is recognised: e-mail, phone (E.164), Telegram id, X id, cedula."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_identities_kind_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DedupeSignature(Base):
    """A radicated case's MinHash signature (routing/similarity.py), written with the case."""

    __tablename__ = "dedupe_signatures"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id"), primary_key=True, autoincrement=False
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class DedupeBand(Base):
    """The LSH index: a row per band key of a case's signature (cases sharing a key may be
    alike). Written in the radicating transaction, so it is exactly as true as the store;
    on SQLite a table without rowid, its primary key the only copy of the rows."""

    __tablename__ = "dedupe_bands"
    __table_args__ = {"sqlite_with_rowid": False}

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class PetitionPending(Base):
    """A case radicated but not yet compared for a mass petition: written with the case,
    removed by the grouping that follows its commit (workers/dedupe.group_petitions), or
    by the reconciler if the worker died in between. Grouping runs in its own short
    transaction so its lock never lengthens the radicating one."""

    __tablename__ = "petition_pending"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id"), primary_key=True, autoincrement=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PetitionGroup(Base):
    """Analogous petitions of more than ten citizens (art. 22 Ley 1755): one answer."""

    __tablename__ = "petition_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    """A staff member: `agente` works cases, `comunicaciones` the feed, `admin` everything."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StaffSession(Base):
    """A logged-in staff session; the cookie holds a random token, the store its hash."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginAttempt(Base):
    """Each login try, for rate limiting wrong passwords per user name and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), default="", index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
