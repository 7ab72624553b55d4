"""Follow-up detection and the citizen's own words: pure decisions, tables of cases."""

from __future__ import annotations

import pytest

from ventanilla.routing.acknowledgements import AckPlan, within_hourly_limit
from ventanilla.routing.followups import follow_up_of, quoted_radicados, thread_radicados
from ventanilla.routing.text import strip_quoted

R1 = "20261000000012"
R2 = "20261000000022"


@pytest.mark.parametrize(
    ("references", "found"),
    [
        ([f"<radicado.{R1}.a1b2c3@example.gov.co>"], [R1]),
        (["<CAF=x@mail.gmail.com>", f"<radicado.{R2}.ff00@example.gov.co>"], [R2]),
        ([f"<radicado.{R1}.aa@x.co>", f"<radicado.{R1}.bb@x.co>"], [R1]),
        (["<radicado.hola@example.com>", "<otro@example.com>"], []),
        ([], []),
    ],
)
def test_our_acknowledgement_ids_name_their_radicado(references, found):
    assert thread_radicados(references) == found


@pytest.mark.parametrize(
    ("subject", "text", "found"),
    [
        (f"Re: {R1} - Recibimos su solicitud", "", [R1]),
        ("Consulta", f"Sobre el radicado {R2}, no me han respondido", [R2]),
        ("Mi cédula", "Mi cédula es 1020304050 y mi celular 3001234567", []),
        ("", "\n" * 50 + f"radicado {R1} muy abajo en la historia citada", []),
        (
            "",
            " ".join(f"2026100000{n:04d}" for n in range(10)),
            [f"2026100000{n:04d}" for n in range(5)],
        ),
    ],
)
def test_radicados_quoted_in_the_subject_or_first_lines(subject, text, found):
    assert quoted_radicados(subject, text) == found


OWNERS = {R1: "ana@example.com", R2: "luis@example.com"}


@pytest.mark.parametrize(
    ("thread", "quoted", "sender", "expected"),
    [
        ([R1], [], "ana@example.com", (R1, "reply to our acknowledgement")),
        ([R1], [], "secretaria@otra.gov.co", (R1, "reply to our acknowledgement")),
        ([], [R1], "ANA@example.com", (R1, "quotes its radicado")),
        ([], [R1], "vecino@example.com", None),
        ([], [R2, R1], "ana@example.com", (R1, "quotes its radicado")),
        (["20269999999992"], [], "ana@example.com", None),  # not a case of ours (anymore)
        ([], [R1], "", None),  # anonymous: nobody to match
        ([], [], "ana@example.com", None),
    ],
)
def test_follow_up_rule(thread, quoted, sender, expected):
    assert follow_up_of(thread, quoted, sender, OWNERS) == expected


@pytest.mark.parametrize(
    ("text", "own"),
    [
        (
            "Adjunto el certificado.\n\nEl lun, 23 nov 2026 a las 9:00, Atención <a@b.co> escribió:"
            "\n> Recibimos su solicitud",
            "Adjunto el certificado.",
        ),
        ("Gracias.\n\nOn Mon, Nov 23, 2026 at 9:00 AM Someone wrote:\n> hi", "Gracias."),
        ("Buenas.\n-----Mensaje original-----\nDe: x\nAsunto: y", "Buenas."),
        ("Buenas.\n\nDe: Atención <a@b.co>\nEnviado: lunes\nPara: yo", "Buenas."),
        ("Solicito copia.\n-- \nAna Pérez\nCel 300", "Solicito copia."),
        ("Solicito copia.\n\nEnviado desde mi iPhone", "Solicito copia."),
        ("> solo una cita", "> solo una cita"),  # nothing of their own: keep all
        ("De: la alcaldía me remitieron aquí", "De: la alcaldía me remitieron aquí"),
    ],
)
def test_strip_quoted_keeps_the_citizens_own_words(text, own):
    assert strip_quoted(text) == own


def test_hourly_limit_silences_only_the_recipients_over_it():
    plans = [AckPlan("email", "ana@example.com"), AckPlan("sms", "+573001234567")]
    given = {"ana@example.com": 5, "+573001234567": 4}

    allowed, reason = within_hourly_limit(plans, "", given, 5)

    assert allowed == [AckPlan("sms", "+573001234567")]
    assert reason == "not acknowledged: over 5 acknowledgements to this sender in an hour"
    assert within_hourly_limit(plans, "", {}, 5) == (plans, "")
