"""Frequent questions: the files in templates/faq, reading one, and matching requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ventanilla.errors import ConfigurationError
from ventanilla.routing.faq import (
    MAX_ANSWER_CHARS,
    Block,
    Faq,
    answer_blocks,
    fill,
    match_faq,
    parse_faq,
)
from ventanilla.templates import FAQ_DIR, load_faqs

FAQS = load_faqs()
MIN_SCORE = 0.8

# Several ways citizens ask each question (missing accents, capitals, abbreviations).
ASKED: dict[str, list[str]] = {
    "sise-contrasena": [
        "Buenas noches, olvidé mi contraseña y no puedo entrar a mi hoja de vida",
        "como recupero la clave del sise???",
        "necesito restablecer mi contraseña, el correo no me llega",
        "me dice contraseña incorrecta pero estoy segura que es esa",
        "SE ME OLVIDO LA CLAVE",
        "me urge una nueva clave para el sise",
    ],
    "sise-cuenta-bloqueada": [
        "mi cuenta esta bloqueada por intentos fallidos, ayuda",
        "se me bloqueó el usuario, como lo desbloqueo",
        "ya no tengo el correo con el que me registré y no puedo entrar",
        "necesito desbloquear mi perfil de buscador",
    ],
    "registrar-hoja-de-vida": [
        "como registro mi hoja de vida en la pagina",
        "Quiero subir mi hoja de vida para buscar empleo",
        "buen día, deseo inscribirme en el servicio público de empleo",
        "necesito actualizar mi hoja de vida, cambié de celular",
    ],
    "postularse-a-vacante": [
        "cómo me postulo a una vacante que vi en la página",
        "quiero aplicar a la oferta de auxiliar de cocina",
        "como busco las vacantes de mi ciudad",
        "buenas, como hago para postularme a un empleo",
    ],
    "certificado-de-inscripcion": [
        "Necesito el certificado de inscripción para el subsidio",
        "como descargo la constancia de registro",
        "me pueden expedir una certificación del servicio público de empleo",
        "necesito un certificado que estoy inscrito",
    ],
    "prestador-cercano": [
        "dónde hay una agencia de empleo en Fusagasugá?",
        "cuál es el punto de atención más cercano a mi casa",
        "hay oficinas cerca de Suba?",
        "donde me puedo inscribir presencialmente",
    ],
    "servicio-gratuito": [
        "¿Es gratis inscribirse en el servicio de empleo?",
        "cuánto cuesta registrar la hoja de vida",
        "una agencia me quiere cobrar por la entrevista",
        "me cobraron 30 mil por postularme a una vacante",
    ],
    "ferias-de-empleo": [
        "cuando es la proxima feria de empleo",
        "Información de las ferias laborales de junio",
        "hay feria de trabajo en Pereira?",
    ],
}

UNRELATED = [
    "Me despidieron y no me pagaron la liquidación",
    "Felicito a la asesora Marta por su atención en Soacha",
    "Solicito copia de mi contrato de prestación de servicios",
    "El funcionario de la ventanilla fue grosero conmigo",
    "cuánto cuesta el curso del SENA",
    "¿Qué incentivos tiene una empresa por contratar jóvenes?",
    "la feria de las flores es en agosto",
    "Necesito el certificado laboral de cuando trabajé en la Unidad",
    "registré mi hoja de vida hace un año y nadie me llama",
    "Colpensiones no me ha pagado la pensión",
    "hola",
    "",
]


def test_the_shipped_questions_load_and_each_has_its_phrasings_here() -> None:
    assert {faq.id for faq in FAQS} == set(ASKED)
    assert len(FAQS) >= 8


@pytest.mark.parametrize("faq", FAQS, ids=lambda faq: faq.id)
def test_each_shipped_answer_is_short_plain_and_points_to_the_entitys_site(faq: Faq) -> None:
    assert len(faq.answer) <= MAX_ANSWER_CHARS
    assert faq.source_url == "https://www.serviciodeempleo.gov.co"
    # No invented addresses: the only site named is the root of the entity's domain.
    for word in faq.answer.split():
        if "serviciodeempleo" in word or "http" in word:
            assert word.rstrip(".,;:") == "www.serviciodeempleo.gov.co", word


@pytest.mark.parametrize(
    ("faq_id", "text"), [(faq_id, text) for faq_id, texts in ASKED.items() for text in texts]
)
def test_each_question_is_matched_by_the_ways_citizens_ask_it(faq_id: str, text: str) -> None:
    match = match_faq(text, FAQS, MIN_SCORE)

    assert match is not None, text
    assert match.faq.id == faq_id, match.reason
    assert match.score >= MIN_SCORE


@pytest.mark.parametrize("text", UNRELATED)
def test_requests_about_something_else_get_no_answer(text: str) -> None:
    assert match_faq(text, FAQS, MIN_SCORE) is None


@pytest.mark.parametrize(
    ("request_type", "faq_id"),
    [
        ("informacion", "sise-contrasena"),
        ("peticion", "sise-contrasena"),
        ("queja", None),  # a complaint is not answered with a tip
        ("reclamo", None),
    ],
)
def test_a_question_answers_only_its_request_types(request_type: str, faq_id: str | None) -> None:
    match = match_faq("olvidé mi contraseña", FAQS, MIN_SCORE, request_type=request_type)

    assert (match.faq.id if match else None) == faq_id


def test_being_charged_is_answered_even_in_a_complaint() -> None:
    match = match_faq(
        "la agencia me cobró por inscribirme", FAQS, MIN_SCORE, request_type="reclamo"
    )

    assert match is not None and match.faq.id == "servicio-gratuito"


def test_a_long_letter_lowers_the_score() -> None:
    point = "Olvidé mi contraseña del SISE."
    medium = " ".join([point] + ["Les agradezco su amable atención."] * 20)  # about 125 words
    letter = " ".join([point] + ["Les agradezco su amable atención."] * 80)

    assert match_faq(medium, FAQS, MIN_SCORE) is not None
    assert match_faq(letter, FAQS, MIN_SCORE) is None
    assert match_faq(letter, FAQS, 0.1) is not None


def test_of_two_questions_the_one_asked_first_is_answered() -> None:
    first = match_faq("Olvidé mi clave y además mi cuenta está bloqueada", FAQS, MIN_SCORE)
    second = match_faq("Mi cuenta está bloqueada y además olvidé mi clave", FAQS, MIN_SCORE)

    assert first is not None and first.faq.id == "sise-contrasena"
    assert second is not None and second.faq.id == "sise-cuenta-bloqueada"


def test_the_answer_reads_in_paragraphs_and_lists_with_the_phone_filled() -> None:
    answer = "Hola.\n\n- uno\n- dos\n\nLlame al {{ contact_phone }} de {{ entity }}."

    assert answer_blocks(fill(answer, contact_phone="601 123", entity="la Unidad")) == (
        Block("p", ("Hola.",)),
        Block("ul", ("uno", "dos")),
        Block("p", ("Llame al 601 123 de la Unidad.",)),
    )


# ---------------------------------------------------------------- reading one file

GOOD = """+++
id = "prueba"
title = "Una pregunta"
source_url = "https://www.serviciodeempleo.gov.co"
patterns = ['\\bprueba\\b']
+++
La respuesta.
"""


def test_a_good_file_is_read() -> None:
    faq = parse_faq(GOOD)

    assert (faq.id, faq.title, faq.answer, faq.patterns) == (
        "prueba",
        "Una pregunta",
        "La respuesta.",
        (r"\bprueba\b",),
    )
    assert faq.types == ("peticion", "informacion", "consulta")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("La respuesta sin front matter", "must start with a +++ line"),
        ("+++\nid = 'x'\n", "no closing +++"),
        (GOOD.replace('id = "prueba"', "id = prueba"), "not valid TOML"),
        (GOOD.replace('id = "prueba"', 'id = "Prueba Uno"'), "id: 'Prueba Uno' must be"),
        (GOOD.replace('title = "Una pregunta"\n', ""), "title: required"),
        (
            GOOD.replace("patterns = ['\\bprueba\\b']", "patterns = ['(prueba']"),
            "patterns[0]: not a regular expression",
        ),
        (
            GOOD.replace("patterns = ['\\bprueba\\b']", "patterns = ['Contraseña']"),
            "patterns[0]: patterns run on folded text",
        ),
        (
            GOOD.replace("patterns = ['\\bprueba\\b']\n", ""),
            "patterns, examples: give at least one",
        ),
        (
            GOOD.replace("+++\nLa", 'types = ["quejas"]\n+++\nLa'),
            "types[0]: 'quejas' is not a request type",
        ),
        (GOOD.replace("https://www.serviciodeempleo.gov.co", "serviciodeempleo"), "source_url"),
        (GOOD.replace("+++\nLa", 'autor = "yo"\n+++\nLa'), "autor: unknown key"),
        (
            GOOD.replace("La respuesta.", ""),
            "the answer (the text after the front matter) is empty",
        ),
        (GOOD.replace("La respuesta.", "Llame al {{ telefono }}"), "may only use the placeholders"),
        (
            GOOD.replace("La respuesta.", "a" * (MAX_ANSWER_CHARS + 1)),
            f"at most {MAX_ANSWER_CHARS}",
        ),
    ],
)
def test_a_wrong_file_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_faq(text)


def test_a_folder_with_wrong_files_names_each_one(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.md").write_text(GOOD, encoding="utf-8")  # the same id twice
    (tmp_path / "c.md").write_text("sin front matter", encoding="utf-8")

    with pytest.raises(ConfigurationError) as caught:
        load_faqs(str(tmp_path))

    assert caught.value.problems == [
        f"faq.directory: {tmp_path / 'c.md'}: must start with a +++ line (TOML front matter)",
        "faq.directory: id 'prueba' is in more than one file",
    ]


def test_the_built_in_folder_is_the_default() -> None:
    assert load_faqs() == load_faqs(str(FAQ_DIR))
