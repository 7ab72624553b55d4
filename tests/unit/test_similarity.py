"""Shingles, MinHash signatures and band keys; the duplicate rule; mass-petition grouping."""

from __future__ import annotations

import pytest

from ventanilla.routing.dedupe import figures, figures_changed, same_request
from ventanilla.routing.petitions import Grouping, Petition, grouping, petitioner
from ventanilla.routing.similarity import (
    BANDS,
    NUM_PERM,
    SIGNATURE_BYTES,
    band_keys,
    estimated_jaccard,
    estimated_jaccards,
    fingerprint,
    jaccard,
    shingles,
    signature,
)

REQUEST = (
    "Buenos días. Solicito copia de mi certificado de inscripción en el Servicio Público "
    "de Empleo, porque lo necesito para presentarlo en una empresa la próxima semana."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", set()),
        ("   ", set()),
        ("Hola", {"hola"}),
        ("Una cita", {"una cita"}),
        ("Quiero una cita", {"quiero una", "una cita"}),
        # Folded: case, accents and punctuation do not make another shingle.
        ("PETICIÓN, de información!", {"peticion de", "de informacion"}),
    ],
)
def test_shingles_are_runs_of_two_folded_words(text: str, expected: set[str]) -> None:
    assert shingles(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"x", "y"}, {"x", "y"}, 1.0),
        ({"x", "y"}, {"x", "z"}, 1 / 3),
        ({"x"}, {"y"}, 0.0),
        (set(), set(), 0.0),
    ],
)
def test_jaccard(a: set[str], b: set[str], expected: float) -> None:
    assert jaccard(frozenset(a), frozenset(b)) == pytest.approx(expected)


def test_a_signature_is_64_values_of_4_bytes_and_the_same_every_time() -> None:
    first = signature(shingles(REQUEST))

    assert len(first) == SIGNATURE_BYTES == NUM_PERM * 4
    assert signature(shingles(REQUEST.upper())) == first  # folded first
    assert len(band_keys(first)) == BANDS


def test_identical_texts_share_every_band_key() -> None:
    one, other = fingerprint(REQUEST), fingerprint(f"  {REQUEST}  ")

    assert one is not None and other is not None
    assert one.bands == other.bands
    assert estimated_jaccard(one.signature, other.signature) == 1.0


def test_a_text_without_words_has_no_fingerprint() -> None:
    assert fingerprint(" \n ") is None


@pytest.mark.parametrize(
    ("other", "low", "high"),
    [
        # One word more at the end: most shingles shared.
        (REQUEST + " Gracias.", 0.75, 1.0),
        # A different request on the same subject.
        (
            "Quiero saber cuándo abren convocatorias para vacantes de conductor en Cali, "
            "y qué documentos debo llevar a la oficina del Servicio Público de Empleo.",
            0.0,
            0.25,
        ),
    ],
)
def test_the_estimate_follows_the_exact_jaccard(other: str, low: float, high: float) -> None:
    exact = jaccard(shingles(REQUEST), shingles(other))
    estimate = estimated_jaccard(signature(shingles(REQUEST)), signature(shingles(other)))

    assert low <= exact <= high
    assert abs(estimate - exact) < 0.25  # 64 permutations: a standard error near 0.06


def test_band_keys_differ_per_band_even_for_equal_values() -> None:
    flat = bytes(SIGNATURE_BYTES)  # every value zero: every band's values equal

    assert len(set(band_keys(flat))) == BANDS


def test_signatures_of_different_lengths_do_not_compare() -> None:
    with pytest.raises(ValueError, match="do not compare"):
        estimated_jaccard(bytes(8), bytes(12))


# -- the duplicate rule (one person's two texts) -------------------------------------------


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (REQUEST, REQUEST),
        (REQUEST.upper(), REQUEST),
        (REQUEST + " Muchas gracias.", REQUEST),
        ("Otra vez: " + REQUEST, REQUEST),
        # The quoted history and the signature are not the citizen's words.
        (
            REQUEST + "\n\nEl lun, 3 nov 2026 a las 10:00, SPE escribió:\n> Recibimos su solicitud",
            REQUEST,
        ),
        (REQUEST + "\n--\nAna Ruiz\nTel. 3001234567", REQUEST),
        # A figure only added, not replaced.
        (REQUEST + " Mi teléfono es 3001234567.", REQUEST),
    ],
)
def test_the_same_request_again(new: str, old: str) -> None:
    assert same_request(new, old, 0.8) is not None


@pytest.mark.parametrize(
    ("new", "old"),
    [
        # Another request.
        ("Solicito mi certificado laboral", "Solicito mi certificado de estudios"),
        ("Quiero poner una queja por mala atención", "Quiero poner un reclamo por un cobro"),
        # A figure replaced: another year, another amount, another document.
        (
            "Solicito el certificado de ingresos y retenciones del año 2024 para mi declaración",
            "Solicito el certificado de ingresos y retenciones del año 2025 para mi declaración",
        ),
        (
            REQUEST.replace("próxima semana", "semana 12"),
            REQUEST.replace("próxima semana", "semana 13"),
        ),
        # Written for someone else: only the very same text is the same request.
        (
            "Como apoderado de Ana Ruiz solicito copia de su certificado de inscripción en el "
            "Servicio Público de Empleo para presentarlo ante el juzgado",
            "Como apoderado de Luis Mora solicito copia de su certificado de inscripción en el "
            "Servicio Público de Empleo para presentarlo ante el juzgado",
        ),
        (
            "Solicito el certificado de mi hijo Juan para la inscripción en el colegio",
            "Solicito el certificado de mi hija Ana para la inscripción en el colegio",
        ),
        # No words to compare.
        ("", REQUEST),
        ("  \n ", "  \n "),
    ],
)
def test_not_the_same_request(new: str, old: str) -> None:
    assert same_request(new, old, 0.8) is None


def test_a_text_for_someone_else_repeated_word_for_word_is_the_same_request() -> None:
    text = "Como apoderado de Ana Ruiz solicito copia de su certificado"

    assert same_request(text, text, 0.8) == 1.0


def test_the_threshold_decides_near_identical_texts() -> None:
    new = REQUEST.replace("una empresa", "la empresa")

    alike = same_request(new, REQUEST, 0.5)
    assert alike is not None and alike < 1.0
    assert same_request(new, REQUEST, min(1.0, alike + 0.01)) is None


@pytest.mark.parametrize(
    ("a", "b", "changed"),
    [
        ("año 2024", "año 2025", True),
        ("año 2024", "año 2024 y 2025", False),
        ("cedula 52.345.678", "cedula 52345678", False),
        ("sin cifras", "con 3001234567", False),
        ("dia 3", "dia 4", False),  # one-digit figures are left out
    ],
)
def test_figures_changed(a: str, b: str, changed: bool) -> None:
    assert figures_changed(a, b) is changed


def test_figures_drop_thousands_dots() -> None:
    assert figures("pago de 1.500.000 y 2024") == {"1500000", "2024"}


# -- mass petitions ------------------------------------------------------------------------


def _petitions(count: int, group: int | None = None) -> list[Petition]:
    return [Petition(n, petitioner(n, n), group) for n in range(1, count + 1)]


@pytest.mark.parametrize(
    ("analogous", "expected"),
    [
        # Ten petitioners with the new one: not more than ten, no group yet.
        (_petitions(9), None),
        # Eleven: a new group with all of them.
        (_petitions(10), Grouping(None, (100, *range(1, 11)))),
        # One of them in a group: the new case joins it, with the others that had none.
        (
            [*_petitions(2), Petition(3, "person:3", 7)],
            Grouping(7, (100, 1, 2)),
        ),
        # Two groups touched: the older absorbs the newer.
        (
            [Petition(1, "person:1", 9), Petition(2, "person:2", 7)],
            Grouping(7, (100, 1), (9,)),
        ),
    ],
)
def test_grouping(analogous: list[Petition], expected: Grouping | None) -> None:
    assert grouping(Petition(100, "person:100"), analogous, 10) == expected


def test_one_person_sending_the_same_petition_eleven_times_is_one_petitioner() -> None:
    same_person = [Petition(n, "person:5") for n in range(1, 12)]

    assert grouping(Petition(100, "person:5"), same_person, 10) is None


def test_cases_without_a_known_person_count_each_as_a_petitioner() -> None:
    anonymous = [Petition(n, petitioner(None, n)) for n in range(1, 11)]

    assert grouping(Petition(100, petitioner(None, 100)), anonymous, 10) is not None


def test_estimated_jaccards_is_estimated_jaccard_against_each() -> None:
    texts = [REQUEST, REQUEST + " Gracias.", "Quiero una cita para orientación laboral"]
    signatures = [signature(shingles(text)) for text in texts]

    assert estimated_jaccards(signatures[0], signatures) == [
        estimated_jaccard(signatures[0], other) for other in signatures
    ]
    assert estimated_jaccards(signatures[0], []) == []
