"""Dedupe and mass petitions, inside the radicate stage's transaction, for a whole batch.

`marks` is computed before the transaction (identities and MinHash fingerprints: CPU
only). In the transaction, `BatchDedupe` links each message to its person (one set of
statements for the batch), names the locks that make the decision safe across workers
(one per person: two near-identical requests of one citizen radicated at once in two
workers queue behind each other, and the second finds the first's case), finds each
message's original among its person's live cases, or its twin earlier in the batch, and
once the new cases exist indexes them. The mass petitions among them are grouped after
the commit, in a short transaction of their own (`group_petitions`). The decisions are
routing/'s (dedupe, petitions); the statements are store/'s.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from ventanilla.logs import log
from ventanilla.routing.acknowledgements import AckPlan
from ventanilla.routing.dedupe import (
    ESTIMATE_MARGIN,
    comparable_folded,
    same_folded_request,
    window_start,
)
from ventanilla.routing.identity import Identity, identities_of, verified_identities
from ventanilla.routing.petitions import Petition, grouping, petitioner
from ventanilla.routing.similarity import (
    Fingerprint,
    band_keys,
    estimated_jaccards,
    folded_fingerprint,
)
from ventanilla.settings import DedupeSettings
from ventanilla.store import dedupe as index
from ventanilla.store.identity import link_persons
from ventanilla.store.locks import lock_keys
from ventanilla.store.outbox import Reply
from ventanilla.store.pipeline import CaseFacts, MessageFacts
from ventanilla.store.schema import utcnow


@dataclass(frozen=True)
class Marks:
    """What dedupe needs of a message, computed before the transaction."""

    identities: tuple[Identity, ...]
    fingerprint: Fingerprint | None
    # The words compared, folded (routing.dedupe.comparable_folded).
    folded: str = ""
    # Those of `identities` the channel vouches for (routing.identity.verified_identities).
    verified: tuple[Identity, ...] = ()


def marks(messages: Sequence[MessageFacts], region: str) -> dict[int, Marks]:
    found = {}
    for message in messages:
        # A voice mail without its transcription has no words of the citizen to compare.
        words = "" if message.flags.get("awaiting_transcription") else message.text
        folded = comparable_folded(words)
        found[message.id] = Marks(
            identities_of(
                message.channel,
                message.sender,
                reply_email=message.reply_email,
                reply_phone=message.reply_phone,
                text=words,
                region=region,
            ),
            folded_fingerprint(folded) if folded else None,
            folded,
            verified_identities(message.channel, message.sender, region),
        )
    return found


def _why(alike: float) -> str:
    return "the same text" if alike >= 1.0 else f"near-identical text, {alike:.0%} alike"


class BatchDedupe:
    def __init__(
        self,
        session: Session,
        messages: Sequence[MessageFacts],
        marked: dict[int, Marks],
        settings: DedupeSettings,
    ) -> None:
        self.settings = settings
        self.marked = marked
        self.messages = {message.id: message for message in messages}
        self.persons = link_persons(
            session,
            {message.id: marked[message.id].identities for message in messages},
            {message.id: marked[message.id].verified for message in messages},
        )
        self.originals: dict[int, tuple[CaseFacts, str]] = {}
        # Messages of this batch on their way to a case: person → (position, message).
        self.filing: dict[int, list[tuple[int, MessageFacts]]] = {}

    def lock_keys(self) -> list[str]:
        return [f"dedupe:person:{person}" for person in sorted(set(self.persons.values()))]

    def find_originals(self, session: Session) -> None:
        """Each message's original among its person's live cases (call under the locks)."""
        threshold = self.settings.near_duplicate_threshold
        since = window_start(utcnow(), self.settings.window_days)
        priors = index.person_cases(session, self.persons.values(), since)
        worth: dict[int, list[index.Prior]] = {}
        for message_id, person in self.persons.items():
            printed = self.marked[message_id].fingerprint
            if printed is None:
                continue
            cases = priors.get(person, [])
            alike = estimated_jaccards(printed.signature, [prior.signature for prior in cases])
            worth[message_id] = [
                prior
                for prior, share in zip(cases, alike, strict=True)
                if share >= threshold - ESTIMATE_MARGIN
            ]
        texts = index.case_texts(session, {p.case.id for found in worth.values() for p in found})
        for message_id, found in worth.items():
            best: tuple[float, CaseFacts] | None = None
            mine = self.marked[message_id].folded
            for prior in found:
                words = comparable_folded(texts[prior.case.id])
                share = same_folded_request(mine, words, threshold)
                if share is not None and (best is None or share > best[0]):
                    best = (share, prior.case)
            if best is not None:
                self.originals[message_id] = (best[1], _why(best[0]))

    def original_of(self, message: MessageFacts) -> tuple[CaseFacts, str] | None:
        return self.originals.get(message.id)

    def twin_of(self, message: MessageFacts) -> tuple[int, str] | None:
        """The position of the same request earlier in this batch (to file), if any."""
        person = self.persons.get(message.id)
        if person is None or self.marked[message.id].fingerprint is None:
            return None
        threshold = self.settings.near_duplicate_threshold
        mine = self.marked[message.id].folded
        for position, earlier in self.filing.get(person, []):
            alike = same_folded_request(mine, self.marked[earlier.id].folded, threshold)
            if alike is not None:
                return position, _why(alike)
        return None

    def will_file(self, message: MessageFacts, position: int) -> None:
        person = self.persons.get(message.id)
        if person is not None:
            self.filing.setdefault(person, []).append((position, message))

    def index(self, session: Session, filed: Sequence[tuple[MessageFacts, CaseFacts]]) -> None:
        """Index the batch's new cases (their mass petitions are compared after the commit:
        `group_petitions`)."""
        index.index_cases(
            session,
            [
                (case.id, self.persons.get(message.id), self.marked[message.id].fingerprint)
                for message, case in filed
            ],
        )


def group_petitions(
    session: Session,
    settings: DedupeSettings,
    case_ids: Collection[int] | None = None,
    *,
    pending_for: timedelta = timedelta(0),
) -> int:
    """Compare pending cases (those of `case_ids`, or for the reconciler every one pending
    for `pending_for`) with their neighbours and group the mass petitions among them;
    returns how many were compared.

    Its own transaction, after the cases are committed: every grouping of the store takes
    one lock (two workers never group one petition twice, and each sees the other's
    committed cases), and that lock is held here for a few statements instead of for the
    whole radicating transaction of every batch.
    """
    lock_keys(session, ["petition-groups"])
    before = None if case_ids is not None else utcnow() - pending_for
    pending = index.pending_petitions(session, case_ids, before=before)
    if not pending:
        return 0
    bands = {case_id: band_keys(signature) for case_id, signature in pending.items()}
    neighbours = index.band_neighbours(session, {b for keys in bands.values() for b in keys})
    since = window_start(utcnow(), settings.mass_petition_window_days)
    candidates = {
        case_id: {c for b in keys for c in neighbours.get(b, []) if c != case_id}
        for case_id, keys in bands.items()
    }
    members = index.petition_members(
        session, {c for found in candidates.values() for c in found} | set(pending), since
    )
    for case_id in sorted(pending):
        _group(session, case_id, candidates[case_id], members, settings)
    index.petitions_compared(session, pending)
    return len(pending)


def _group(
    session: Session,
    case_id: int,
    candidates: set[int],
    members: dict[int, index.Member],
    settings: DedupeSettings,
) -> None:
    """Group `case_id` with its analogous petitions, if they are a mass petition."""
    me = members.get(case_id)
    if me is None:
        return
    threshold = settings.mass_petition_threshold
    found = [members[c] for c in sorted(candidates) if c in members]
    alike = estimated_jaccards(me.signature, [member.signature for member in found])
    analogous = [member for member, share in zip(found, alike, strict=True) if share >= threshold]
    decision = grouping(
        _petition(me),
        [_petition(member) for member in analogous],
        settings.mass_petition_min_petitioners,
    )
    if decision is None:
        return
    first = min([me, *analogous], key=lambda member: member.case_id)
    group_id = index.apply_grouping(session, decision, first.radicado)
    log.info(
        "petition_grouped",
        group_id=group_id,
        case_id=case_id,
        cases=len(decision.members),
        new_group=decision.group_id is None,
    )
    for member_id, member in list(members.items()):
        if member_id in decision.members or member.group_id in decision.absorbed:
            members[member_id] = index.Member(
                member.case_id, member.radicado, member.person_id, group_id, member.signature
            )


def _petition(member: index.Member) -> Petition:
    return Petition(member.case_id, petitioner(member.person_id, member.case_id), member.group_id)


def notices(message_id: int, case_id: int, plans: Sequence[AckPlan]) -> list[Reply]:
    """The duplicate notice: on the acknowledgement's channel, privately (an X mention's
    public reply is left out), once per message."""
    for plan in plans:
        if plan.kind == "ack":
            return [Reply("duplicate", plan.channel, plan.recipient, message_id, case_id)]
    return []
