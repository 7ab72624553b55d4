"""Office (dependencia) assignment and forwarding by competence, with the SPE's defaults."""

from __future__ import annotations

import pytest

from ventanilla.routing.offices import (
    COMUNICACIONES,
    DEFAULT_OFFICE,
    DESARROLLO,
    JURIDICA,
    SEGUIMIENTO,
    CompetenceRule,
    OfficeDecision,
    OfficeRule,
    OfficeRules,
    assign_office,
)

RULES = OfficeRules.build()

COLPENSIONES = "Colpensiones"
AFP = "Administradora de fondos de pensiones (AFP) del afiliado"
MINTRABAJO = "Ministerio del Trabajo"
CAJA = "Caja de Compensación Familiar del afiliado"
SENA = "Servicio Nacional de Aprendizaje (SENA)"
DPS = "Departamento Administrativo para la Prosperidad Social"


@pytest.mark.parametrize(
    ("request_type", "text", "office"),
    [
        # SISE accounts, passwords, platform errors.
        ("peticion", "Olvidé la contraseña del SISE y no me llega el correo", DESARROLLO),
        ("peticion", "mi usuario esta bloqueado desde ayer", DESARROLLO),
        ("reclamo", "No puedo ingresar a la plataforma, me sale error 500", DESARROLLO),
        ("reclamo", "la pagina no carga cuando voy a guardar la hoja de vida", DESARROLLO),
        ("peticion", "no me llega el codigo de verificacion al celular", DESARROLLO),
        # Authorisation and supervision of prestadores.
        (
            "peticion",
            "Requisitos para la autorización como bolsa de empleo universitaria",
            SEGUIMIENTO,
        ),
        ("informacion", "estado del trámite de la autorización de nuestra agencia", SEGUIMIENTO),
        (
            "reclamo",
            "la agencia de empleo de mi barrio me cobró 50.000 por inscribirme",
            SEGUIMIENTO,
        ),
        ("denuncia", "hay una agencia falsa que publica vacantes en Facebook", SEGUIMIENTO),
        ("peticion", "envío el informe de gestión de la agencia del mes de mayo", SEGUIMIENTO),
        # First level: vacancies, the hoja de vida, ferias, certificates, the nearest point.
        ("informacion", "¿Cómo registro mi hoja de vida?", DEFAULT_OFFICE),
        ("informacion", "quiero información de la vacante de auxiliar de bodega", DEFAULT_OFFICE),
        ("informacion", "¿cuándo es la próxima feria de empleo en Barranquilla?", DEFAULT_OFFICE),
        ("informacion", "Solicito mi certificado de inscripción", DEFAULT_OFFICE),
        ("informacion", "¿Dónde queda la agencia de empleo más cercana a Bosa?", DEFAULT_OFFICE),
        ("peticion", "necesito trabajo urgente, soy bachiller", DEFAULT_OFFICE),
        # Legal questions: the words, or the consulta type.
        ("peticion", "Solicito concepto jurídico sobre el reporte de vacantes", JURIDICA),
        ("informacion", "¿cuál es la normatividad que regula las bolsas de empleo?", JURIDICA),
        ("consulta", "¿Una empresa temporal está obligada a reportar sus vacantes?", JURIDICA),
        # Press.
        (
            "informacion",
            "Para una nota periodística necesito las cifras de colocados",
            COMUNICACIONES,
        ),
        (
            "peticion",
            "Desde el noticiero regional pedimos una entrevista con el director",
            COMUNICACIONES,
        ),
        # Nothing matched: the default office.
        ("peticion", "buenas tardes quisiera más información", DEFAULT_OFFICE),
    ],
)
def test_each_default_rule_sends_the_request_to_its_office(
    request_type: str, text: str, office: str
) -> None:
    decision = assign_office(request_type, text, RULES)

    assert decision.office == office
    assert decision.competent_entity == ""


@pytest.mark.parametrize(
    ("request_type", "text", "entity"),
    [
        ("peticion", "Colpensiones no me ha reconocido la pensión de vejez", COLPENSIONES),
        ("informacion", "¿Cuántas semanas cotizadas tengo?", COLPENSIONES),
        ("peticion", "quiero trasladarme de Porvenir a Colpensiones", AFP),
        ("reclamo", "Me despidieron sin justa causa y no me pagaron la liquidación", MINTRABAJO),
        ("queja", "sufro acoso laboral de mi jefe", MINTRABAJO),
        ("reclamo", "la empresa no me ha pagado el salario de dos meses", MINTRABAJO),
        ("peticion", "Solicito una visita de inspección de trabajo a mi empresa", MINTRABAJO),
        ("reclamo", "no me ha llegado el pago del subsidio al desempleo", CAJA),
        ("informacion", "requisitos del mecanismo de protección al cesante", CAJA),
        ("peticion", "quiero inscribirme a un curso del SENA de soldadura", SENA),
        ("reclamo", "no puedo entrar a Sofia Plus", SENA),
        ("informacion", "cuándo pagan Renta Ciudadana", DPS),
        ("peticion", "me sacaron de Familias en Acción", DPS),
    ],
)
def test_another_entitys_matter_goes_to_the_default_office_to_be_forwarded(
    request_type: str, text: str, entity: str
) -> None:
    decision = assign_office(request_type, text, RULES)

    assert decision.office == DEFAULT_OFFICE
    assert decision.competent_entity == entity
    assert decision.rule.startswith("offices.competence[")


@pytest.mark.parametrize(
    "text",
    [
        "Soy pensionado y quiero registrar mi hoja de vida",  # a status, not a pension matter
        "pago de la pensión alimenticia de mi hijo",  # family law, not Colpensiones
        "estudié en el SENA y busco trabajo como técnico",  # a job seeker
        "¿Dónde consulto vacantes del Ministerio del Trabajo?",
    ],
)
def test_near_misses_are_not_forwarded(text: str) -> None:
    assert assign_office("peticion", text, RULES).competent_entity == ""


def test_a_mixed_request_keeps_our_office_and_names_the_other_entity() -> None:
    decision = assign_office(
        "peticion", "Me despidieron y no me pagaron la liquidación; busco empleo", RULES
    )

    assert decision.office == DEFAULT_OFFICE
    assert decision.rule.startswith("offices.rules[")
    assert decision.competent_entity == MINTRABAJO
    assert "also competence of Ministerio del Trabajo" in decision.reason


def test_a_consulta_about_another_entitys_matter_is_forwarded_not_answered_by_legal() -> None:
    decision = assign_office("consulta", "¿A qué edad me puedo pensionar con Colpensiones?", RULES)

    assert (decision.office, decision.competent_entity) == (DEFAULT_OFFICE, COLPENSIONES)


def test_the_decision_names_its_rule_and_the_words() -> None:
    decision = assign_office("peticion", "OLVIDÉ MI CONTRASEÑA", RULES)

    assert decision == OfficeDecision(
        DESARROLLO, "offices.rules[1]", "", "'contrasena' (offices.rules[1])"
    )


def test_nothing_matched_is_the_default_office_of_the_settings() -> None:
    rules = OfficeRules.build("Ventanilla Única", rules=[], competence=[])

    assert assign_office("peticion", "hola", rules) == OfficeDecision(
        "Ventanilla Única", "offices.default", "", "no rule matched"
    )


@pytest.mark.parametrize(
    ("request_type", "office"),
    [("queja", "Control Interno Disciplinario"), ("peticion", "Otra"), ("reclamo", "Otra")],
)
def test_first_match_wins_and_types_narrow_a_rule(request_type: str, office: str) -> None:
    rules = OfficeRules.build(
        "Otra",
        rules=[
            OfficeRule("Control Interno Disciplinario", (r"\bfuncionari[oa]\b",), ("queja",)),
            OfficeRule("Control Interno Disciplinario", types=("denuncia",)),
        ],
        competence=[],
    )

    assert assign_office(request_type, "el funcionario fue grosero", rules).office == office


def test_a_competence_rule_can_be_limited_to_types() -> None:
    rules = OfficeRules.build(
        rules=[], competence=[CompetenceRule("ICBF", (r"\bhij[oa]s?\b",), ("denuncia",))]
    )

    assert assign_office("denuncia", "maltratan a mi hijo", rules).competent_entity == "ICBF"
    assert assign_office("peticion", "mi hijo busca empleo", rules).competent_entity == ""


def test_a_bad_pattern_names_its_key() -> None:
    with pytest.raises(ValueError, match=r"offices\.rules\[1\]\.patterns\[0\]: not a regular"):
        OfficeRules.build(rules=[OfficeRule("A", ("ok",)), OfficeRule("B", ("(unclosed",))])
