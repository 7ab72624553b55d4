"""Filing in a remote document system: the radicate stage reserves, a worker files.

`RemoteRegistry` is what `docsys.backend = "orfeo"` puts in the pipeline: it inserts the
batch's cases as the built-in registry does (provisional radicados `~<message id>`), but
its `number` takes no number from our counter: it writes each case's filing row
(store/filings.py), and the cases' acknowledgements are held. `workers/filing.py` then asks
Orfeo outside any transaction and records Orfeo's number as the radicado.

`orfeo_filing` turns a case into what radicarDocumento sends: the citizen as
destinatario, the request as a PDF main image, our reference in `cuentai`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ventanilla.docsys.builtin import BuiltinRegistry
from ventanilla.docsys.orfeo import Destinatario, OrfeoFiling
from ventanilla.docsys.registry import Reservation
from ventanilla.docsys.request_pdf import RequestDocument, render
from ventanilla.routing.identity import own_cedula
from ventanilla.store import filings
from ventanilla.store.audit import audit_rows
from ventanilla.store.intake import blob_path
from ventanilla.store.pipeline import CaseFacts

if TYPE_CHECKING:
    from ventanilla.settings import Settings

# radicarDocumento's `asu` (RADI_ASUN): a subject, not the whole text.
MAX_SUBJECT = 300


class RemoteRegistry(BuiltinRegistry):
    """Reserve as the built-in registry does; `number` only writes the filing rows."""

    remote = True

    def __init__(self, *, backend: str, timezone: str) -> None:
        super().__init__(number_format="", office_code="", kind_digit="", timezone=timezone)
        self.backend = backend

    def number(self, session: Session, reservation: Reservation) -> list[CaseFacts]:
        case_ids = sorted(reservation.pending)
        filings.add_filings(session, case_ids, self.backend)
        audit_rows(
            session,
            [
                {
                    "entity": "case",
                    "entity_id": case_id,
                    "action": "reserved",
                    "detail": {
                        "message_id": reservation.pending[case_id].message_id,
                        "filing_in": self.backend,
                    }
                    | (
                        {"why": reservation.pending[case_id].reasons}
                        if reservation.pending[case_id].reasons
                        else {}
                    ),
                }
                for case_id in case_ids
            ],
        )
        return reservation.cases


def citizen(facts: filings.FilingFacts) -> Destinatario:
    """The citizen as Orfeo's destinatario: name, cédula (when the text gives one), the
    e-mail and phone the request can be answered at."""
    message = facts.message
    email = message.reply_email or (message.sender if "@" in message.sender else "")
    return Destinatario.citizen(
        name=message.sender_name or "Anónimo",
        cedula=own_cedula(message.text),
        email=email,
        phone=message.reply_phone,
    )


def orfeo_filing(facts: filings.FilingFacts, settings: Settings) -> OrfeoFiling:
    message = facts.message
    names = [name for _, name, _, _, _ in facts.attachments]
    contact = message.reply_email or message.reply_phone or message.sender
    sender = f"{message.sender_name} <{contact}>" if contact else message.sender_name
    pdf = render(
        RequestDocument(
            entity=settings.entity.name,
            reference=facts.reference,
            channel=message.channel,
            received_at=message.received_at,
            zone=settings.office.timezone,
            sender=sender.strip(),
            subject=message.subject,
            text=message.text,
            attachments=[(name, size) for _, name, _, size, _ in facts.attachments],
        )
    )
    subject = message.subject or " ".join(message.text.split())[:120] or "Solicitud"
    annexes = f"{len(names)} anexos: {', '.join(names)}" if names else ""
    return OrfeoFiling(
        reference=facts.reference,
        subject=subject[:MAX_SUBJECT],
        citizen=citizen(facts),
        channel=message.channel,
        request_type=facts.type,
        pdf=pdf,
        annexes=annexes[:MAX_SUBJECT],
    )


def annex_content(attachments_dir: Path, sha256: str) -> bytes:
    return blob_path(attachments_dir, sha256).read_bytes()
