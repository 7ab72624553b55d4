"""The classifier's features, read out to a clerk in Spanish (`routing/explain.py`)."""

from __future__ import annotations

import pytest

from ventanilla.routing.explain import UNSURE, explain


@pytest.mark.parametrize(
    ("features", "review", "expected"),
    [
        (("rule:copia:solicito copia",), False, ["pide un documento, una copia o un certificado"]),
        (
            ("idioma:en", "presumed:request"),
            True,
            [
                "escrito en inglés: se radica y hay que traducirlo",
                "no es claro que pida algo: la ley presume una petición",
                "el modelo no está seguro: revisar tipo",
            ],
        ),
        (
            ("looked_automatic", "staff:filed:queja"),
            False,
            [
                "parece una respuesta automática, pero ningún encabezado lo prueba: se "
                "tramita como solicitud",
                "una persona lo radicó desde la lista de revisión (queja)",
            ],
        ),
        (("chosen:queja",), False, ["el ciudadano eligió el tipo en el formulario (queja)"]),
        (
            ("rule:pide:necesito", "model:w:clave", "model:w:sise", "model:c: entr"),
            False,
            ["empieza pidiendo algo", "habla del acceso a su cuenta"],
        ),
        (
            ("model:w:error", "model:w:pagina", "model:w:no"),
            False,
            ["menciona una falla del servicio", "palabras que pesaron: no"],
        ),
        (("model:w:certificado",), False, ["pide un documento"]),
        (("model:w:grosera", "model:w:me grito"), False, ["habla del trato de un servidor"]),
        (("model:w:es legal", "model:c:cobr"), False, ["pregunta qué dice la norma"]),
        # No topic: the whole words that weighed are listed; character fragments are not.
        (
            ("model:w:nada", "model:w:otra vez", "model:c:erez", "model:c: o "),
            False,
            ["palabras que pesaron: nada, otra, vez"],
        ),
        (
            ("model:w:jaja", "presumed:form", "presumed:request"),
            True,
            [
                "llegó por el formulario: se presume una solicitud",
                "no es claro que pida algo: la ley presume una petición",
                "es conversación o risas",
                UNSURE,
            ],
        ),
        (
            ("flag:auto_submitted",),
            False,
            ["lo envió un sistema automático (encabezados del correo)"],
        ),
        (("empty",), False, ["el mensaje no trae palabras"]),
        (
            ("mention:solicitud", "presumed:request"),
            True,
            [
                "en redes, el mensaje pide algo",
                "no es claro que pida algo: la ley presume una petición",
                UNSURE,
            ],
        ),
        # A rule from settings the table does not name: its name and the words it matched.
        (
            ("rule:tutela:accion de tutela",),
            False,
            ["coincide con la regla «tutela» (accion de tutela)"],
        ),
        ((), False, []),
        ((), True, [UNSURE]),
    ],
)
def test_features_read_as_spanish_reasons(
    features: tuple[str, ...], review: bool, expected: list[str]
) -> None:
    assert explain(features, review=review) == expected


def test_no_model_key_ever_reaches_the_reader() -> None:
    features = tuple(f"model:{kind}:{term}" for kind in "wc" for term in ("xq", " ab", "0000", "q"))
    for reason in explain(features):
        assert "model:" not in reason and "w:" not in reason and "c:" not in reason
