"""The filing step: ask the document system (Orfeo) for a case's radicado, outside any
transaction, and never twice.

`file_case` takes one due filing (store/filings.py claims it: `calling`), calls
radicarDocumento with nothing of ours locked, then records what came back in one short
transaction:

- `Created(number)`: the number becomes the case's radicado; the case's acknowledgements,
  held since radicating, are released and sent; then each attachment goes as an anexo.
- `Unavailable` (Orfeo down, HTTP 503, connection refused: nothing was processed): due
  again after a backoff, re-sent by dramatiq's delay, or by the reconciler if Redis lost it.
- `Uncertain` (a timeout, a lost answer, HTTP 500 without a body, an error text Orfeo also
  gives after creating): with `docsys.orfeo_lookup = "cuentai"` the filing is `unknown`
  and the next attempt asks Orfeo for our reference first (found: recorded; none: filed);
  with `none` it waits as "resultado incierto en Orfeo" for a clerk (web/staff/filings.py).
- `Refused(text)`: Orfeo said no before creating anything; staff see its text.
"""

from __future__ import annotations

from datetime import timedelta

import dramatiq

from ventanilla.app import current_app
from ventanilla.docsys.filing import annex_content, orfeo_filing
from ventanilla.docsys.orfeo import (
    Created,
    OrfeoError,
    Refused,
    Unavailable,
    Uncertain,
)
from ventanilla.logs import log
from ventanilla.store import filings
from ventanilla.workers.broker import broker
from ventanilla.workers.pipeline import QUEUE, deliver_claimed

# After an unknown outcome the lookup comes this soon: a lost answer is a fact already.
LOOKUP_DELAY = timedelta(seconds=0.5)


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... up to `docsys.retry_max_seconds` between calls to an Orfeo that is down."""
    cap = current_app().settings.docsys.retry_max_seconds
    return timedelta(seconds=min(cap, 2.0 ** max(0, attempts - 1)))


def enqueue(case_ids: list[int], delay: timedelta | None = None) -> None:
    for case_id in case_ids:
        if delay:
            file_case.send_with_options(args=(case_id,), delay=int(delay.total_seconds() * 1000))
        else:
            file_case.send(case_id)


@dramatiq.actor(queue_name=QUEUE, broker=broker)
def file_case(case_id: int) -> None:
    file_one(case_id)


def file_one(case_id: int) -> str:
    """One attempt at a case's filing; returns the status it ended in ("" when it was not
    due or another worker had it)."""
    app = current_app()
    with app.db.transaction() as session:
        claimed = filings.claim(session, case_id)
    if claimed is None:
        return ""
    with app.db.read() as session:
        facts = filings.load(session, case_id)
    client = app.orfeo
    if claimed.was == "unknown":
        try:
            found = client.consultar_radicado_cuentai(claimed.reference)
        except OrfeoError as error:
            # Not known yet whether Orfeo holds it: ask again later, never file blindly.
            return _outcome(case_id, "unknown", str(error), backoff(claimed.attempts))
        if found:
            if len(found) > 1:
                log.error("orfeo_doubles_found", case_id=case_id, radicados=found)
            return _filed(case_id, found[0], "lookup")
    outcome = client.radicar(orfeo_filing(facts, app.settings))
    if isinstance(outcome, Created):
        return _filed(case_id, outcome.number, "answer")
    if isinstance(outcome, Unavailable):
        return _outcome(case_id, "pending", outcome.reason, backoff(claimed.attempts))
    if isinstance(outcome, Refused):
        log.warning("orfeo_refused", case_id=case_id, text=outcome.text[:200])
        return _outcome(case_id, "refused", outcome.text, None)
    assert isinstance(outcome, Uncertain)
    log.warning("orfeo_outcome_unknown", case_id=case_id, reason=outcome.reason[:200])
    if app.settings.docsys.orfeo_lookup == "cuentai":
        # After a timeout Orfeo may still be creating it: look up once it must be done.
        timeout = timedelta(seconds=app.settings.docsys.orfeo_timeout_seconds)
        delay = max(LOOKUP_DELAY, timeout) if outcome.timed_out else LOOKUP_DELAY
        return _outcome(case_id, "unknown", outcome.reason, delay)
    return _outcome(case_id, "uncertain", outcome.reason, None)


def _outcome(case_id: int, status: str, error: str, wait: timedelta | None) -> str:
    with current_app().db.transaction() as session:
        filings.record_outcome(session, case_id, status, error, wait=wait)
    if wait is not None:
        enqueue([case_id], wait)
    return status


def _filed(case_id: int, number: str, how: str) -> str:
    app = current_app()
    with app.db.transaction() as session:
        released = filings.record_filed(session, case_id, number, how=how)
    log.info("filed_in_orfeo", case_id=case_id, radicado=number, how=how)
    deliver_claimed(released)
    send_annexes(case_id)
    return "filed"


def send_annexes(case_id: int) -> None:
    """Each attachment as an anexo of the radicado (crearAnexo), once, in order. One that
    fails stops the rest; its reason stays on the filing for staff (not retried: a lost
    answer to crearAnexo could double the anexo)."""
    app = current_app()
    with app.db.read() as session:
        facts = filings.load(session, case_id)
    sent = facts.annexes_sent
    for _, name, _, _, sha256 in facts.attachments[sent:]:
        outcome = app.orfeo.crear_anexo(
            facts.number, name, annex_content(app.attachments_dir, sha256), name
        )
        if not isinstance(outcome, Created):
            with app.db.transaction() as session:
                filings.record_annexes(session, case_id, sent, f"anexo {name}: {outcome}")
            log.warning("orfeo_annex_failed", case_id=case_id, annex=name)
            return
        sent += 1
    if sent != facts.annexes_sent:
        with app.db.transaction() as session:
            filings.record_annexes(session, case_id, sent)


def reconcile_filings(stale_after: timedelta) -> int:
    """Re-send the filings that are due (Redis may have lost their delayed message) and
    turn calls whose worker died into unknown outcomes; returns how many were sent."""
    app = current_app()
    lookup = app.settings.docsys.orfeo_lookup == "cuentai"
    with app.db.transaction() as session:
        case_ids = filings.due(session, stale_after=stale_after, lookup=lookup)
    enqueue(case_ids)
    return len(case_ids)
