"""The explainable PQRSDF rules, text folding and the duplicate key, as citizens really write."""

from __future__ import annotations

import unicodedata

import pytest

from ventanilla.routing.classify import classify, says_nothing
from ventanilla.routing.dedupe import dedupe_key
from ventanilla.routing.text import fold
from ventanilla.routing.types import REQUEST_TYPES

FORMAL_LETTER = (
    "Señores\nUnidad del Servicio Público de Empleo\nRef: Derecho de petición\n\n"
    "Yo, Juan Pérez, identificado con C.C. 79.123.456, en ejercicio del derecho fundamental "
    "de petición consagrado en el artículo 23 de la Constitución Política, solicito "
    "respetuosamente se me informe en qué estado se encuentra mi inscripción."
)
FORMAL_LETTER_FOR_COPIES = (
    "Asunto: DERECHO DE PETICIÓN\n\nRespetados señores: de conformidad con la Ley 1755 de "
    "2015, solicito se me expida copia auténtica del acta de la convocatoria 045."
)
FORMAL_LETTER_DENOUNCING = (
    "Ref.: derecho de petición - denuncia. Pongo en conocimiento de la entidad presuntos "
    "hechos de corrupción en la sede de Soacha, donde cobran por inscribir hojas de vida."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # denuncia
        ("quiero denunciar a un funcionario que pide plata x inscribirme", "denuncia"),
        ("DENUNCIO HECHOS DE CORRUPCION EN LA OFICINA DE CALI", "denuncia"),
        ("me pidieron un soborno pa darme la cita", "denuncia"),
        (FORMAL_LETTER_DENOUNCING, "denuncia"),
        # informacion (documents and information)
        ("Solicito copia de mi certificado laboral", "informacion"),
        ("x favor necesito un certificado de que estoy inscrito", "informacion"),
        ("me pueden expedir una constancia?", "informacion"),
        ("Solicito la información sobre las convocatorias de 2026", "informacion"),
        (FORMAL_LETTER_FOR_COPIES, "informacion"),
        # consulta
        ("tengo una consulta sobre el subsidio al desempleo", "consulta"),
        ("Solicito concepto jurídico sobre la Ley 1636 de 2013", "consulta"),
        # queja
        ("PONGO UNA QUEJA POR LA MALA ATENCION DE LA FUNCIONARIA", "queja"),
        ("la señora de la ventanilla fue muy grosera conmigo", "queja"),
        ("mal atencion en la sede de bogota!!!", "queja"),
        ("me maltrataron en la entrevista", "queja"),
        # reclamo
        ("Presento reclamo porque no me han pagado el subsidio", "reclamo"),
        ("no me han respondido nada hace 2 meses", "reclamo"),
        ("incumplieron la cita q me dieron", "reclamo"),
        # sugerencia
        ("sugiero que abran mas horarios los sabados", "sugerencia"),
        ("seria bueno que la pagina funcione en el celular", "sugerencia"),
        ("Propongo que envíen las ofertas por WhatsApp", "sugerencia"),
        # felicitacion
        ("Felicito a la funcionaria Marta por su excelente atención", "felicitacion"),
        ("muchas gracias, agradezco mucho la ayuda", "felicitacion"),
        ("EXCELENTE SERVICIO", "felicitacion"),
        # peticion
        ("buenas tardes necesito trabajo urgente", "peticion"),
        ("quisiera saber cuando abren convocatorias", "peticion"),
        ("DERECHO DE PETICION: cuál es el estado de mi hoja de vida", "peticion"),
        (FORMAL_LETTER, "peticion"),
        ("q pena molestar, x favor me ayudan con mi clave", "peticion"),
        ("hola, una pregunta", "peticion"),
    ],
)
def test_citizen_text_is_classified_by_its_words(text: str, expected: str) -> None:
    assert classify(text).type == expected


def test_subject_counts_like_the_text() -> None:
    result = classify("ver adjunto", subject="QUEJA contra el punto de atención")

    assert result.type == "queja"


def test_rule_decision_names_the_rule_and_the_words_that_matched() -> None:
    result = classify("Presento RECLAMO por el pago")

    assert result.confidence == 0.8
    assert result.features == ("rule:reclamo:reclamo",)


def test_first_matching_rule_decides_a_denuncia_over_a_petition() -> None:
    result = classify("Derecho de petición: denuncio un soborno")

    assert result.type == "denuncia"
    assert result.features[0].startswith("rule:denuncia:")


@pytest.mark.parametrize("slug", REQUEST_TYPES)
def test_type_chosen_by_the_citizen_wins_over_the_rules(slug: str) -> None:
    result = classify("Pongo una queja y denuncio corrupción", requested_type=slug)

    assert (result.type, result.confidence, result.features) == (slug, 1.0, (f"chosen:{slug}",))


@pytest.mark.parametrize("requested", ["", "spam", "autorespuesta", "tutela"])
def test_requested_type_that_is_not_a_request_type_is_ignored(requested: str) -> None:
    assert classify("pongo una queja", requested_type=requested).type == "queja"


def test_auto_submitted_message_is_an_autorespuesta_whatever_it_says() -> None:
    result = classify("Denuncia: fuera de la oficina", requested_type="queja", auto_submitted=True)

    assert (result.type, result.confidence) == ("autorespuesta", 1.0)
    assert result.features == ("flag:auto_submitted",)


@pytest.mark.parametrize(
    "text",
    [
        "https://casino.example/promo",
        "https://a.example https://b.example",
        # Regression: each link folded into several words ("https bit.ly abc ref 1"), so
        # messages made only of links with query strings were never spam.
        "https://bit.ly/abc?ref=1 https://bit.ly/def?ref=2",
        "GANE YA https://c.example/promo?id=7 https://c.example/r https://c.example/premio",
    ],
)
def test_message_that_is_mostly_links_is_spam(text: str) -> None:
    result = classify(text)

    assert (result.type, result.features) == ("spam", ("mostly_links",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Solicito información sobre la vacante publicada en "
            "https://www.serviciodeempleo.gov.co/vacantes/123 porque no puedo postularme",
            "informacion",
        ),
        ("Mi queja: https://fotos.example/sede-cerrada.jpg", "queja"),
        ("mire esto https://fotos.example/fila", "peticion"),
    ],
)
def test_citizen_message_with_a_link_among_words_is_not_spam(text: str, expected: str) -> None:
    # Spam is never radicated: a false positive would deny a citizen an answer.
    assert classify(text).type == expected


@pytest.mark.parametrize("text", ["hola, ¿me escuchan?", "buenos días, soy yo", "quiero algo"])
def test_without_any_signal_the_law_presumes_a_petition_with_low_confidence(text: str) -> None:
    result = classify(text)

    assert (result.type, result.confidence, result.features, result.review) == (
        "peticion",
        0.4,
        ("default:peticion",),
        True,
    )


@pytest.mark.parametrize("text", ["", "   ", "?", "...", "👍"])
def test_a_message_with_no_words_and_nothing_attached_is_empty(text: str) -> None:
    assert (classify(text).type, classify(text).features) == ("vacio", ("empty",))


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "Buenos días señores",
        "holaa buenas 👋",
        "Buenas tardes, ¿qué tal?",
        "Buenas tardes\n\nEnviado desde mi iPhone",
        "buenos dias Enviado desde mi Huawei",
        "Obtener Outlook para Android",
        "[imagen]",
        "<Multimedia omitido>",
        "Hola, buenos días.\n\n[sticker]\n\nYesica Paola Díaz",
        "Cordialmente,\n\nDiego Armando Velásquez\nC.C. 1.098.765.432",
        "Hola.\n\nKaren Sofía Mendoza\n300 000 3344\nkaren.mendoza@ejemplo.com",
        "300 000 4567",
    ],
)
def test_a_greeting_or_a_signature_alone_says_nothing(text: str) -> None:
    # Not a petition presumed: there is nothing to answer. Not dropped either: a `vacio`
    # waits in the review list for a person (workers/pipeline.py).
    assert says_nothing(text)
    assert (classify(text).type, classify(text).features) == ("vacio", ("only_courtesy",))


@pytest.mark.parametrize(
    "text",
    [
        "hola ok ya entendí",
        "Buenos días\n\nya vi la noticia\n\nMaría Camila Ortiz\nEnviado desde mi iPhone",
        "buenas tardes, qué calor hace hoy",
        "Buen servicio",
        "Felicidades",
        "Martha Lucía Pérez Gómez",  # a name alone is the model's to read, not a signature
        "Hola, ¿este es el número del servicio de empleo?",
        "Buenas tardes, necesito el certificado",
    ],
)
def test_words_after_the_greeting_are_read_not_called_empty(text: str) -> None:
    assert not says_nothing(text)
    assert "only_courtesy" not in classify(text).features


def test_the_subject_may_carry_what_the_body_does_not() -> None:
    result = classify("Enviado desde mi iPhone", subject="Solicitud de certificado laboral")

    assert result.type == "informacion"


def test_a_greeting_with_an_attachment_is_presumed_a_petition_for_review() -> None:
    result = classify("Buenos días,\n\nCordialmente,", has_attachments=True)

    assert (result.type, result.features, result.review) == ("peticion", ("attachment_only",), True)


def test_an_attachment_with_no_words_is_presumed_a_petition_for_review() -> None:
    result = classify("", has_attachments=True)

    assert (result.type, result.features, result.review) == ("peticion", ("attachment_only",), True)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("PETICIÓN", "peticion"),
        ("petición", "peticion"),
        ("  Señor   Núñez!! ", "señor nuñez"),
        ("AÑO", "año"),
        ("¿Cuándo me responden?", "cuando me responden"),
        ("línea1\n\n\tlínea2", "linea1 linea2"),
        ("Escribir a Ana.Perez+pqr@Correo.CO", "escribir a ana.perez+pqr@correo.co"),
        ("pingüino", "pinguino"),
        ("", ""),
        # Regression: text in decomposed form (NFD, as some Mac mail clients send it) lost
        # the ñ, so "año" and the same word typed on another device folded differently.
        (unicodedata.normalize("NFD", "AÑO Núñez"), "año nuñez"),
    ],
)
def test_fold_lowercases_and_drops_accents_but_keeps_enye(text: str, folded: str) -> None:
    assert fold(text) == folded


ORIGINAL = "Solicito copia de mi certificado de inscripción del año pasado"


@pytest.mark.parametrize(
    "variant",
    [
        ORIGINAL,
        "SOLICITO COPIA DE MI CERTIFICADO DE INSCRIPCION DEL AÑO PASADO",
        "solicito  copia de mi\ncertificado de   inscripcion del año pasado",
        "  Solicitó copia de mí certificado de inscripción del año pasado  ",
        unicodedata.normalize("NFD", ORIGINAL),
    ],
)
def test_same_sender_and_text_written_differently_share_a_dedupe_key(variant: str) -> None:
    assert dedupe_key(" ANA@example.com ", variant) == dedupe_key("ana@example.com", ORIGINAL)


def test_dedupe_key_keeps_enye_apart_from_n() -> None:
    assert dedupe_key("ana@example.com", "mi año") != dedupe_key("ana@example.com", "mi ano")


def test_dedupe_key_differs_for_another_sender() -> None:
    text = "Solicito copia de mi certificado"

    assert dedupe_key("ana@example.com", text) != dedupe_key("luis@example.com", text)


def test_dedupe_key_differs_for_another_text() -> None:
    sender = "3001234567"

    assert dedupe_key(sender, "pongo una queja") != dedupe_key(sender, "pongo un reclamo")


@pytest.mark.parametrize(("sender", "text"), [("", "hola"), ("   ", "hola"), ("ana@x.co", " ¿? ")])
def test_dedupe_key_is_none_without_a_sender_or_without_words(sender: str, text: str) -> None:
    assert dedupe_key(sender, text) is None


def test_dedupe_key_is_a_sha256_hex_digest() -> None:
    key = dedupe_key("ana@example.com", "hola")

    assert key is not None
    assert len(key) == 64
    int(key, 16)
