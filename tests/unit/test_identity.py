"""Identities of a message across channels, and when a cédula in the text is the writer's."""

from __future__ import annotations

import pytest

from ventanilla.routing.identity import (
    Identity,
    email_address,
    identities_of,
    own_cedula,
    phone_e164,
    speaks_for_another,
)


@pytest.mark.parametrize(
    ("channel", "sender", "reply_email", "reply_phone", "expected"),
    [
        ("email", "Ana.Ruiz@Example.COM", "", "", ["email:ana.ruiz@example.com"]),
        ("email", " ana@example.com ", "", "", ["email:ana@example.com"]),
        ("sms", "+573001234567", "", "", ["phone:+573001234567"]),
        ("whatsapp", "+573001234567", "", "", ["phone:+573001234567"]),
        ("voice", "+573001234567", "", "+573001234567", ["phone:+573001234567"]),
        ("telegram", "tg:123456789", "", "", ["telegram:123456789"]),
        ("x", "x:44196397", "", "", ["x:44196397"]),
        # The web form's digits, read as a Colombian number: the same as Twilio's E.164.
        ("web", "3001234567", "", "3001234567", ["phone:+573001234567"]),
        ("web", "+573001234567", "", "+573001234567", ["phone:+573001234567"]),
        (
            "web",
            "ana@example.com",
            "Ana@Example.com",
            "300 123 4567",
            ["email:ana@example.com", "phone:+573001234567"],
        ),
        # Anonymous: no identity, so never anybody's duplicate.
        ("web", "", "", "", []),
        # Not an address, not a number: nothing.
        ("email", "not an address", "", "", []),
        ("web", "", "", "12", []),
        ("telegram", "tg:", "", "", []),
    ],
)
def test_identities_of_each_channel(
    channel: str, sender: str, reply_email: str, reply_phone: str, expected: list[str]
) -> None:
    found = identities_of(channel, sender, reply_email=reply_email, reply_phone=reply_phone)

    assert [str(identity) for identity in found] == expected


def test_a_cedula_the_writer_gives_joins_the_other_identities() -> None:
    found = identities_of(
        "email", "ana@example.com", text="Buenos días. Mi cédula es 52.345.678. Solicito copia."
    )

    assert found == (Identity("cedula", "52345678"), Identity("email", "ana@example.com"))


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("300 123 4567", "+573001234567"),
        ("(57) 300 123 4567", "+573001234567"),
        ("+57 300-123-4567", "+573001234567"),
        ("+1 415 555 2671", "+14155552671"),
        ("12", ""),
        ("hola", ""),
    ],
)
def test_phone_e164(number: str, expected: str) -> None:
    assert phone_e164(number) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ana@Example.com", "ana@example.com"),
        ("ana@localhost", ""),
        ("ana@@example.com", ""),
        ("Ana <ana@example.com>", ""),
        ("@example.com", ""),
    ],
)
def test_email_address(value: str, expected: str) -> None:
    assert email_address(value) == expected


# -- the cédula: the writer's own, or someone else's ---------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 1. Possessive.
        ("Mi cédula es 52.345.678", "52345678"),
        ("mi numero de cedula es el 1023456789, gracias", "1023456789"),
        ("Solicito mi certificado. Mi c.c. 52345678", "52345678"),
        ("Mi cédula de ciudadanía: 52 345 678", "52345678"),
        # 2. Self-identification in the first person.
        (
            "Yo, María Pérez, mayor de edad, identificada con la cédula de ciudadanía "
            "No. 52.345.678 de Bogotá, solicito copia de mi certificado.",
            "52345678",
        ),
        ("La suscrita, identificada con C.C. 52345678 de Cali, solicito", "52345678"),
        ("Yo Juan, con cédula 79.123.456, pido una cita", "79123456"),
        ("Identificada con C.C. 52345678, solicito información", "52345678"),
        ("Buenos días, identificado con CC 79123456 solicito una cita", "79123456"),
        # 3. The signature, after a closing.
        (
            "Solicito copia de mi certificado.\nAtentamente,\nMaría Pérez\n"
            "C.C. 52.345.678 de Bogotá",
            "52345678",
        ),
        ("Solicito certificado.\nGracias.\nCC 1.023.456.789", "1023456789"),
        ("Necesito el certificado\nCordialmente\nc.c. 52345678 de Bogotá D.C.", "52345678"),
    ],
)
def test_a_cedula_presented_as_the_writers_own_links(text: str, expected: str) -> None:
    assert own_cedula(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # A lawyer: the client's number, even the one under the signature.
        "Actuando como apoderado de la señora Ana Ruiz, identificada con C.C. 52.345.678, "
        "solicito copia de su certificado.",
        "Solicito el certificado de mi poderdante.\nAtentamente,\nJuan Gómez\nC.C. 79123456\n"
        "T.P. 123456 del C.S. de la J.",
        "Yo, Juan Gómez, en representación de Ana Ruiz, identificada con C.C. 52345678",
        "Yo, en nombre del señor Pedro, identificado con C.C. 79123456, solicito",
        # A mother, a relative.
        "Mi hijo Juan, identificado con T.I. 1001234567, necesita su certificado.",
        "Mi mamá, con cédula 41234567, no ha recibido respuesta.\nGracias\nC.C. 52345678",
        "Solicito el subsidio a favor de mi esposo. Mi cédula es 52345678",
        # Someone else named, no first person.
        "Solicito el estado del trámite del señor Pedro Gómez, C.C. 79123456",
        "Solicito el estado del trámite de:\nSeñor Pedro Gómez\nC.C. 79123456",
        "Yo pregunto por el ciudadano Pedro Gómez identificado con C.C. 79123456",
        # A number with no closing before it is not a signature.
        "Estado de la solicitud\nC.C. 79123456",
        # Other documents, other numberings.
        "Mi cédula de extranjería es 523456",
        "Mi NIT es 900123456",
        # Two numbers given as the writer's: which one?
        "Mi cédula es 52345678, perdón, mi cédula es 52345679",
        # Too short or too long to be a cédula, or a leading zero.
        "Mi cédula es 12345",
        "Mi cédula es 12345678901",
        "Mi cédula es 01234567",
        # Quoted from an earlier message: not the writer's words.
        "Gracias.\n\nEl lun, 3 nov 2026 a las 10:00, Ana escribió:\n> Mi cédula es 52345678",
        # Nothing at all.
        "Solicito información sobre vacantes",
    ],
)
def test_a_cedula_that_may_be_someone_elses_does_not_link(text: str) -> None:
    assert own_cedula(text) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Actuando como apoderado de Ana", True),
        ("Escribo en nombre de mi madre", True),
        ("Solicito el certificado de mi hija", True),
        ("Escribo por mi niña", True),
        ("Como abogado de la familia", True),
        ("Es para el menor Juan", True),
        ("Solicito mi certificado laboral", False),
        ("Mi nombre es Ana y solicito una cita", False),
    ],
)
def test_speaks_for_another(text: str, expected: bool) -> None:
    assert speaks_for_another(text) is expected
