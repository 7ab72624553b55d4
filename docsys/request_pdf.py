"""The request as a PDF: the main image of its radicado in a document system (Orfeo).

A document system keeps a radicado's image, not our database: the PDF carries everything a
clerk there needs to read the request without ventanilla (channel, reception time, who
wrote, the text, the attachments by name). fpdf2 draws it: pure Python, and its only
dependency matplotlib does not already bring is defusedxml; reportlab would add a C
extension for one page of text. The font is matplotlib's DejaVu Sans, so accents, ñ and
most scripts a citizen writes in come out as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files

from fpdf import FPDF

from ventanilla.templates import spanish_datetime
from ventanilla.web.staff.labels import CHANNEL_LABELS

_KB = 1024


@dataclass(frozen=True)
class RequestDocument:
    entity: str
    reference: str
    channel: str
    received_at: datetime
    zone: str
    sender: str
    subject: str
    text: str
    attachments: Sequence[tuple[str, int]] = ()  # (file name, size in bytes)


@cache
def _font_dir() -> str:
    return str(files("matplotlib") / "mpl-data" / "fonts" / "ttf")


def render(document: RequestDocument) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Solicitud {document.reference}")
    pdf.set_creator("ventanilla")
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", f"{fonts}/DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", f"{fonts}/DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 8, f"{document.entity}: solicitud recibida", new_x="LMARGIN")
    pdf.ln(2)
    facts = [
        ("Referencia", document.reference),
        ("Canal", CHANNEL_LABELS.get(document.channel, document.channel)),
        ("Recibida", spanish_datetime(document.received_at, document.zone)),
        ("Remitente", document.sender or "sin datos"),
        ("Asunto", document.subject or "sin asunto"),
    ]
    for label, value in facts:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(28, 6, f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width - 28, 6, value, new_x="LMARGIN")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width, 7, "Texto de la solicitud", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, document.text or "(sin texto)", new_x="LMARGIN")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    count = len(document.attachments)
    pdf.cell(
        width, 7, f"Anexos ({count})" if count else "Sin anexos", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 10)
    for name, size in document.attachments:
        pdf.multi_cell(width, 5, f"• {name} ({max(1, round(size / _KB))} KB)", new_x="LMARGIN")
    return bytes(pdf.output())
