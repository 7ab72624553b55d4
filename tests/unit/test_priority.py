"""Priority and review flags, the language detector, and the date a shortened term gives."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ventanilla.routing.priority import (
    BASIS,
    FLAG_SLUGS,
    Flag,
    Term,
    applicable_term,
    detect_language,
    due_date,
    is_priority,
    priority_basis,
    priority_flags,
)
from ventanilla.routing.terms import BusinessCalendar, OfficeHours

BOGOTA = ZoneInfo("America/Bogota")


def slugs(text: str, **kwargs: str | bool) -> set[str]:
    return {flag.slug for flag in priority_flags(text, **kwargs)}  # type: ignore[arg-type]


# ---------------------------------------------------------------- one table per flag

FLAG_CASES: list[tuple[str, str, bool]] = [
    # nna: the child or adolescent is the petitioner.
    ("nna", "Hola soy menor de edad y quiero saber si puedo trabajar en vacaciones", True),
    ("nna", "TENGO 15 AÑOS y necesito un trabajo de medio tiempo", True),
    ("nna", "tengo 16 anos de edad, me pueden ayudar con la hoja de vida", True),
    ("nna", "buenas, cumplí 17 años y quiero inscribirme", True),
    ("nna", "tengo diecisiete años, como hago la hoja de vida?", True),
    ("nna", "estoy en grado 10 y necesito hacer mi práctica", True),
    ("nna", "Estoy en décimo y mi colegio pide prácticas laborales", True),
    ("nna", "curso grado once en el colegio distrital", True),
    ("nna", "soy estudiante de colegio y quiero una orientación vocacional", True),
    ("nna", "me inscribí con mi tarjeta de identidad y no me deja", True),
    ("nna", "Soy una adolescente de Soacha y necesito ayuda", True),
    # Near misses: an adult's years of experience, a parent writing about a child.
    ("nna", "tengo 15 años de experiencia como conductor", False),
    ("nna", "Tengo 10 años trabajando en construcción y me despidieron", False),
    ("nna", "tengo 8 años en la empresa y no me han pagado", False),
    ("nna", "tengo 12 años cotizando a pensión", False),
    ("nna", "Mi hijo tiene 15 años y quiere trabajar en vacaciones", False),
    ("nna", "mi hija está en grado 10, ¿puede hacer prácticas?", False),
    ("nna", "la tarjeta de identidad de mi hijo no aparece en el sistema", False),
    ("nna", "tengo 2 hijos menores de edad y estoy desempleada", False),
    ("nna", "tengo 45 años y nadie me contrata", False),
    # periodista
    ("periodista", "Soy periodista de un medio regional y solicito cifras de vacantes", True),
    ("periodista", "Buenas tardes, para una nota periodística necesito datos del desempleo", True),
    ("periodista", "estamos preparando un reportaje sobre las ferias de empleo", True),
    ("periodista", "Escribo desde el noticiero local para pedir una entrevista", True),
    ("periodista", "Trabajo para el periódico El Norte y quisiera información", True),
    # Near misses: a journalist's own job search, news read by a citizen, a school note.
    ("periodista", "soy periodista, estoy desempleado y busco trabajo", False),
    ("periodista", "vi en el noticiero que hay vacantes en el aeropuerto", False),
    ("periodista", "necesito el certificado para una nota del colegio", False),
    ("periodista", "leí en El Tiempo que abrieron convocatorias", False),
    # riesgo_derecho_fundamental
    ("riesgo_derecho_fundamental", "no tengo para comer y mis hijos tampoco", True),
    ("riesgo_derecho_fundamental", "estamos pasando hambre desde que me quedé sin trabajo", True),
    ("riesgo_derecho_fundamental", "me van a desalojar el lunes si no pago el arriendo", True),
    ("riesgo_derecho_fundamental", "recibí amenazas de muerte en mi antiguo trabajo", True),
    ("riesgo_derecho_fundamental", "me han amenazado y necesito cambiar de ciudad", True),
    ("riesgo_derecho_fundamental", "estoy sin EPS y enfermo de diabetes", True),
    ("riesgo_derecho_fundamental", "tengo una cirugía pendiente y no tengo ingresos", True),
    ("riesgo_derecho_fundamental", "si no me responden interpondré una acción de tutela", True),
    ("riesgo_derecho_fundamental", "se vulnera mi mínimo vital y el de mi familia", True),
    ("riesgo_derecho_fundamental", "estoy en quimioterapia y perdí el empleo", True),
    ("riesgo_derecho_fundamental", "vivo en la calle con mis dos niños", True),
    # Near misses: a vacancy for surgery staff, an address, no EPS without illness.
    ("riesgo_derecho_fundamental", "busco vacantes de auxiliar de cirugía en Cali", False),
    (
        "riesgo_derecho_fundamental",
        "estoy en la calle 26 con carrera 7, dónde queda la oficina",
        False,
    ),
    ("riesgo_derecho_fundamental", "no tengo EPS porque no tengo trabajo, ¿cómo me afilio?", False),
    ("riesgo_derecho_fundamental", "no tengo trabajo hace seis meses", False),
    ("riesgo_derecho_fundamental", "la inteligencia artificial amenaza el empleo", False),
    # discapacidad
    ("discapacidad", "soy persona con discapacidad y busco empleo", True),
    ("discapacidad", "Tengo discapacidad visual, necesito la información en audio", True),
    ("discapacidad", "soy sordo y no puedo llamar a la línea", True),
    ("discapacidad", "soy ciega, la página no funciona con mi lector de pantalla", True),
    ("discapacidad", "me movilizo en silla de ruedas y la oficina tiene escaleras", True),
    ("discapacidad", "ya tengo el certificado de discapacidad, ¿qué programas hay?", True),
    ("discapacidad", "mi hijo tiene discapacidad cognitiva y quiere trabajar", True),
    # Near misses: questions about disability in general, a suggestion.
    ("discapacidad", "¿qué incentivos hay por contratar personas con discapacidad?", False),
    ("discapacidad", "sugiero intérpretes de lengua de señas en las ferias", False),
    ("discapacidad", "las oficinas deberían tener acceso para personas en silla de ruedas", False),
    # denuncia_corrupcion
    ("denuncia_corrupcion", "un funcionario me pidió plata para mover mi hoja de vida", True),
    ("denuncia_corrupcion", "el asesor de la agencia pública cobró 200 mil por la vacante", True),
    ("denuncia_corrupcion", "denuncio un soborno en la contratación", True),
    ("denuncia_corrupcion", "le pidieron una coima para darle el puesto", True),
    ("denuncia_corrupcion", "hay tráfico de influencias en las convocatorias", True),
    ("denuncia_corrupcion", "peculado en el programa de empleo rural", True),
    ("denuncia_corrupcion", "cobro indebido por parte de un funcionario del SPE", True),
    # Near misses: an agency or employer that charges (a reclamo), a rude official.
    ("denuncia_corrupcion", "la agencia me cobró 50 mil por la inscripción", False),
    ("denuncia_corrupcion", "la empresa me pidió plata para el examen médico", False),
    ("denuncia_corrupcion", "el funcionario fue muy grosero conmigo", False),
    ("denuncia_corrupcion", "quiero saber si me cobran por el certificado", False),
]


@pytest.mark.parametrize(("slug", "text", "expected"), FLAG_CASES)
def test_each_flag_is_raised_by_the_citizens_words_and_not_by_near_misses(
    slug: str, text: str, expected: bool
) -> None:
    assert (slug in slugs(text)) is expected


@pytest.mark.parametrize(
    ("sender_name", "expected"),
    [("Redacción El Tiempo", True), ("Noticias Caracol", True), ("Ana Pérez", False)],
)
def test_a_media_outlet_in_the_senders_name_marks_a_journalist(
    sender_name: str, expected: bool
) -> None:
    text = "Buenos días, quisiera las cifras de colocados del último trimestre."

    assert ("periodista" in slugs(text, sender_name=sender_name)) is expected


def test_the_subject_counts_like_the_text() -> None:
    assert "nna" in slugs("quiero trabajar en vacaciones", subject="SOY MENOR DE EDAD")


@pytest.mark.parametrize(("anonymous", "expected"), [(True, True), (False, False)])
def test_anonymous_is_what_the_caller_says(anonymous: bool, expected: bool) -> None:
    assert ("anonimo" in slugs("denuncio irregularidades", anonymous=anonymous)) is expected


def test_a_flag_carries_the_words_that_raised_it_and_its_legal_basis() -> None:
    [flag] = priority_flags("Tengo 15 años y busco trabajo")

    assert flag == Flag("nna", "'tengo 15 anos'", "; ".join(BASIS["nna"]))
    assert "Ley 1098 de 2006" in flag.basis


def test_flags_come_in_one_fixed_order() -> None:
    flags = priority_flags(
        "Soy menor de edad, no tengo para comer y un funcionario me pidió plata",
        anonymous=True,
    )

    assert [flag.slug for flag in flags] == [
        "nna",
        "riesgo_derecho_fundamental",
        "anonimo",
        "denuncia_corrupcion",
    ]
    assert [slug for slug in FLAG_SLUGS if slug in {f.slug for f in flags}] == [
        f.slug for f in flags
    ]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("nna",), True),
        (("periodista",), True),
        (("riesgo_derecho_fundamental",), True),
        (("discapacidad",), True),
        (("anonimo",), False),
        (("idioma_extranjero",), False),
        (("denuncia_corrupcion",), False),
        (("anonimo", "discapacidad"), True),
        ((), False),
    ],
)
def test_which_flags_mean_priority_attention(flags: tuple[str, ...], expected: bool) -> None:
    assert is_priority(flags) is expected
    assert is_priority([Flag(slug, "", "") for slug in flags]) is expected


def test_priority_basis_names_each_citation_once() -> None:
    basis = priority_basis(["nna", "discapacidad", "periodista", "anonimo"])

    assert basis.count("Ley 1437 de 2011, art. 5, num. 6") == 1
    assert "Ley 1755 de 2015, art. 20" in basis
    assert "art. 69" not in basis  # anonimo is no priority
    assert priority_basis(["anonimo"]) == ""


# ---------------------------------------------------------------- the language

LANGUAGE_CASES = [
    ("Hello, I need help with my account, I cannot log in to the website", "en"),
    ("Dear Sirs, I would like to know how to apply for a job in Colombia. Thank you", "en"),
    ("Bom dia, eu gostaria de saber como faço para cadastrar meu currículo no site", "pt"),
    ("Olá, sou brasileira e estou procurando emprego em Bogotá, você pode me ajudar?", "pt"),
    ("Bonjour, je suis à la recherche d'un emploi en Colombie, pouvez-vous m'aider ?", "fr"),
    ("Buongiorno, vorrei sapere come posso trovare lavoro in Colombia, grazie mille", "it"),
    ("Guten Tag, ich suche eine Arbeit in Kolumbien und habe eine Frage zum Portal", "de"),
    ("Buenas tardes, necesito ayuda con mi hoja de vida, no me deja guardar", "es"),
    # Spanish with a few English words stays Spanish.
    ("Hola, no puedo hacer login, la página dice 'please try again later', qué hago", "es"),
    ("buenas, el link del job fair no abre, me ayudan x favor", "es"),
    ("Señores SPE, solicito el certificado. Sent from my iPhone", "es"),
    ("Les escribo porque la app me sale en inglés: Welcome, sign in", "es"),
    # Too little to say.
    ("ok", ""),
    ("👍", ""),
]


@pytest.mark.parametrize(("text", "language"), LANGUAGE_CASES)
def test_detect_language_by_frequent_words(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "expected"),
    [(text, language not in ("es", "")) for text, language in LANGUAGE_CASES],
)
def test_a_request_not_in_spanish_is_flagged_with_its_language(text: str, expected: bool) -> None:
    flags = {flag.slug: flag for flag in priority_flags(text)}

    assert ("idioma_extranjero" in flags) is expected
    if expected:
        assert detect_language(text) in flags["idioma_extranjero"].reason


def test_addresses_and_links_are_no_language() -> None:
    text = "Solicito informacion. ana.perez@gmail.com www.ejemplo.com.br http://example.com/do"

    assert detect_language(text) == "es"


# ---------------------------------------------------------------- the response date

CALENDAR = BusinessCalendar(OfficeHours.parse("mon-fri 08:00-16:00"))
# Monday 2 March 2026, 10:00 in Bogotá: radicated that day, terms run from the 3rd.
RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=BOGOTA)


@pytest.mark.parametrize(
    ("request_type", "flags", "shortened", "expected"),
    [
        ("peticion", (), {}, Term(15)),
        ("peticion", ("nna",), {}, Term(15)),  # priority without a regulation: legal term
        ("peticion", ("nna",), {"nna": 10}, Term(10, "nna")),
        ("informacion", ("nna",), {"nna": 10}, Term(10)),  # not shorter than the law's
        ("consulta", ("periodista",), {"periodista": 20}, Term(20, "periodista")),
        (
            "peticion",
            ("nna", "riesgo_derecho_fundamental"),
            {"nna": 10, "riesgo_derecho_fundamental": 3},
            Term(3, "riesgo_derecho_fundamental"),
        ),
        ("peticion", ("anonimo",), {"nna": 5}, Term(15)),  # a term for a flag not raised
        (
            "queja",
            ("riesgo_derecho_fundamental",),
            {"riesgo_derecho_fundamental": 0},
            Term(0, "riesgo_derecho_fundamental"),
        ),
    ],
)
def test_the_shortest_applicable_term_governs(
    request_type: str, flags: tuple[str, ...], shortened: dict[str, int], expected: Term
) -> None:
    assert applicable_term(request_type, flags, shortened) == expected


@pytest.mark.parametrize(
    ("flags", "shortened", "expected"),
    [
        # 15 business days: San José (19 March) is moved to Monday 23 March, a holiday.
        ((), {}, date(2026, 3, 24)),
        (("riesgo_derecho_fundamental",), {}, date(2026, 3, 24)),
        (("riesgo_derecho_fundamental",), {"riesgo_derecho_fundamental": 3}, date(2026, 3, 5)),
        (("riesgo_derecho_fundamental",), {"riesgo_derecho_fundamental": 0}, date(2026, 3, 2)),
    ],
)
def test_due_date_counts_the_governing_term_like_the_legal_one(
    flags: tuple[str, ...], shortened: dict[str, int], expected: date
) -> None:
    assert due_date(CALENDAR, RECEIVED, "peticion", flags, shortened) == expected
    if not shortened:
        assert expected == CALENDAR.due_date(RECEIVED, "peticion")
