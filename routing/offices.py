"""Office (dependencia) assignment, and matters that belong to another entity (no I/O).

Rules come from the settings (`[[offices.rules]]`, `[[offices.competence]]`, with the SPE's
structure as defaults below); this module compiles and applies them and never reads the
settings itself. Patterns are regular expressions run on folded text (`routing.text.fold_plain`:
lower case, no accents, n for ñ), so a rule is written `contrasena`, never `Contraseña`.

How a decision is made:

1. The first `[[offices.rules]]` entry that matches decides the office. An entry matches
   when the request type is among its `types` (if it lists any) and one of its `patterns`
   is found (if it lists any).
2. The first `[[offices.competence]]` entry that matches names another competent entity.
   If no office rule with patterns matched, the whole request is another entity's matter:
   it goes to the default office (the citizen-service group), which forwards it
   ("trasladar por competencia", Ley 1755 de 2015 art. 21, within 5 business days). If an
   office rule with patterns matched too, the request mixes our matter with another
   entity's ("soy pensionado y quiero registrar mi hoja de vida" is ours; "Colpensiones no
   me paga y busco empleo" is both): that office answers our part and the other entity is
   still named, so staff forward the rest in time.
3. Nothing matched: the default office (`offices.default`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ventanilla.routing.text import fold_plain, pattern_problem

DEFAULT_OFFICE: Final = "Grupo de Relacionamiento con el Ciudadano"

DESARROLLO: Final = "Subdirección de Desarrollo y Tecnología"
SEGUIMIENTO: Final = "Subdirección de Administración y Seguimiento"
JURIDICA: Final = "Oficina Asesora Jurídica"
COMUNICACIONES: Final = "Comunicaciones"


@dataclass(frozen=True)
class OfficeRule:
    office: str
    patterns: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompetenceRule:
    entity: str
    patterns: tuple[str, ...]
    types: tuple[str, ...] = ()


# The SPE's structure (the defaults of `[[offices.rules]]`), in the order they are tried.
DEFAULT_RULES: Final[tuple[OfficeRule, ...]] = (
    # Press first: a journalist's question goes to Communications whatever its subject.
    OfficeRule(
        COMUNICACIONES,
        (
            r"\bpara (?:una|la) nota (?:periodistica|de prensa|informativa|sobre)"
            r"|\breportaje\b|\bentrevista (?:con|al|a la) (?:director|directora|vocero)",
            r"\bcomunicado de prensa\b|\brueda de prensa\b"
            r"|\b(?:somos|desde) (?:el |la |un |una )?(?:periodico|diario|noticiero|emisora"
            r"|revista|portal de noticias|sala de redaccion)\b",
        ),
    ),
    # SISE accounts, passwords and platform errors.
    OfficeRule(
        DESARROLLO,
        (
            # "la clave", "mi clave", not "es clave para" or "palabras clave".
            r"\b(?:contrasena|password)\b|\b(?:mi|la|una|nueva|de|sin) clave\b"
            r"|\bclave (?:de acceso|del sise|de ingreso|temporal)\b",
            r"\b(?:usuario|cuenta|perfil) (?:esta |quedo |se )?bloquead[oa]\b"
            r"|\bbloque(?:o|aron|ada|ado) (?:mi |la )?(?:cuenta|usuario|perfil)\b",
            # Not when it names another entity's platform: that is theirs.
            r"\bno (?:puedo|he podido|logro|me deja) (?:ingresar|entrar|acceder|iniciar sesion"
            r"|loguearme|registrarme)\b(?! (?:a|al|en) (?:la pagina del |el portal del )?"
            r"(?:sofia|sena|colpensiones|mi eps|la caja))|\binicio de sesion\b",
            r"\b(?:error|errores|falla|fallas) (?:en|de|del) (?:la )?(?:plataforma|pagina|portal|"
            r"sistema|sise|aplicativo)\b|\bla (?:pagina|plataforma|aplicacion) (?:no (?:funciona|"
            r"carga|abre|sirve)|esta caida|se cae)\b|\bsale (?:un )?error\b",
            r"\b(?:codigo|correo|enlace|link) de (?:verificacion|activacion|confirmacion)\b"
            r"|\brecuperar (?:mi |la )?(?:cuenta|usuario)\b",
        ),
    ),
    # Legal questions: the type the classifier gives, or the words of a legal question.
    OfficeRule(
        JURIDICA,
        (
            r"\bconcepto (?:juridico|legal)\b|\bnormatividad\b|\bmarco normativo\b",
            r"\binterpretacion (?:de|del) (?:la )?(?:norma|ley|decreto|articulo|resolucion)\b"
            r"|\bdecreto 1072\b|\bley 1636\b",
        ),
    ),
    OfficeRule(JURIDICA, types=("consulta",)),
    # Where the nearest prestador is: first level, before supervision takes "prestador".
    OfficeRule(
        DEFAULT_OFFICE,
        (
            r"\b(?:punto|puntos|agencia|agencias|prestador|prestadores|oficina|oficinas)\b"
            r".{0,30}\b(?:cerca|cercan[oa]s?)\b",
            r"\bdonde (?:queda|quedan|hay|encuentro|puedo encontrar) (?:una |la |un |el |las "
            r"|los )?(?:agencia|oficina|prestador|punto)",
        ),
    ),
    # Authorisation and supervision of prestadores (agencies, bolsas de empleo).
    OfficeRule(
        SEGUIMIENTO,
        (
            r"\bbolsas? de empleo\b|\bprestador(?:es)? (?:autorizad|del servicio)\w*",
            r"\bautorizacion (?:como|para (?:operar|funcionar|prestar)|de (?:la |una |mi )?"
            r"(?:agencia|bolsa|prestador))\b|\b(?:solicitud|tramite|renovacion|modificacion) "
            r"de (?:la )?autorizacion\b|\bresolucion de autorizacion\b",
            r"\blicencia (?:de|para|como) (?:funcionamiento|agencia|operar|bolsa)\b",
            r"\bagencias?\b.{0,40}\b(?:ilegal|falsa|no autorizada|pirata|cobr\w*)",
            r"\binformes? (?:de gestion|estadisticos?) (?:de la|del) (?:agencia|prestador|bolsa)\b",
        ),
    ),
    # First level: job offers, vacancies, the hoja de vida, ferias, certificates.
    OfficeRule(
        DEFAULT_OFFICE,
        (
            r"\bhojas? de vida\b|\bcurriculum\b|\bvacantes?\b|\bofertas? (?:de empleo|laboral)",
            r"\bferias? (?:de empleo|laboral)|\bpostular\w*|\baplicar a (?:una|la|las|esa) "
            r"(?:vacante|oferta|convocatoria)",
            r"\bcertificado de inscripcion\b|\borientacion (?:ocupacional|laboral)\b"
            r"|\b(?:busco|buscando|necesito|conseguir) (?:trabajo|empleo)\b",
        ),
    ),
)

# Matters of other entities (the defaults of `[[offices.competence]]`).
DEFAULT_COMPETENCE: Final[tuple[CompetenceRule, ...]] = (
    CompetenceRule(
        "Administradora de fondos de pensiones (AFP) del afiliado",
        (r"\b(?:porvenir|colfondos|skandia|fondo privado de pensiones)\b",),
    ),
    CompetenceRule(
        "Colpensiones",
        (
            r"\bcolpensiones\b|\bpension(?:es)?\b(?! aliment| de alimentos)"
            r"|\bpensionar(?:me|se)?\b|\bjubila(?:cion|rme)\b",
            r"\bsemanas cotizadas\b|\bbono pensional\b|\bmesadas? pensional",
        ),
    ),
    CompetenceRule(
        "Caja de Compensación Familiar del afiliado",
        (
            r"\bsubsidio (?:al|de|por) desempleo\b|\bproteccion al cesante\b|\bfosfec\b"
            r"|\bbeneficios? (?:del|de|para el|por) (?:cesante|desempleo)\b",
        ),
    ),
    CompetenceRule(
        "Ministerio del Trabajo",
        (
            r"\binspeccion (?:de trabajo|laboral)\b|\binspector(?:a)? de trabajo\b",
            r"\bme (?:despidieron|echaron|botaron)\b|\bdespid(?:o|ieron|ido|ida)\b",
            r"\bliquidacion\b|\bacoso laboral\b|\bprestaciones sociales\b",
            r"\bno me (?:han |ha )?(?:pagado|pagan|quieren pagar|pago) (?:el |la |los |mi |mis )?"
            r"(?:salario|sueldo|quincena|liquidacion|prestaciones|horas extra|primas?|cesantias)\b"
            r"|\b(?:salarios?|sueldos?) (?:atrasados?|sin pagar|no pagados?)\b",
        ),
    ),
    CompetenceRule(
        "Servicio Nacional de Aprendizaje (SENA)",
        (
            r"\b(?:inscribirme|inscripcion|matricula|matricularme|cupos?)\b.{0,40}\bsena\b"
            r"|\bcursos? (?:del|en el|de el|virtual(?:es)? del) sena\b|\bcertificado del sena\b",
            r"\bsofia ?plus\b|\bcontrato de aprendizaje\b|\betapa productiva\b",
        ),
    ),
    CompetenceRule(
        "Departamento Administrativo para la Prosperidad Social",
        (
            r"\bprosperidad social\b|\bdps\b|\bfamilias en accion\b|\bjovenes en accion\b"
            r"|\brenta (?:ciudadana|joven)\b|\bingreso solidario\b|\bdevolucion del iva\b",
        ),
    ),
)


@dataclass(frozen=True)
class OfficeDecision:
    office: str
    rule: str  # the settings key of the rule that decided: offices.rules[3], offices.default
    competent_entity: str = ""  # another entity the request (or part of it) belongs to
    reason: str = ""


@dataclass(frozen=True)
class _Compiled:
    key: str
    target: str
    patterns: tuple[re.Pattern[str], ...]
    types: frozenset[str]

    def match(self, request_type: str, folded: str) -> str | None:
        """The words that matched ("" for a rule of types only), or None."""
        if self.types and request_type not in self.types:
            return None
        if not self.patterns:
            return ""
        for pattern in self.patterns:
            found = pattern.search(folded)
            if found:
                return found.group(0)
        return None


@dataclass(frozen=True)
class OfficeRules:
    """The compiled rules one process applies (build once, from the settings)."""

    default: str = DEFAULT_OFFICE
    rules: tuple[_Compiled, ...] = ()
    competence: tuple[_Compiled, ...] = ()

    @classmethod
    def build(
        cls,
        default: str = DEFAULT_OFFICE,
        rules: Sequence[OfficeRule] = DEFAULT_RULES,
        competence: Sequence[CompetenceRule] = DEFAULT_COMPETENCE,
    ) -> OfficeRules:
        """Compile the rules; re.error names the bad pattern's key."""
        return cls(
            default,
            tuple(
                _compile(f"offices.rules[{i}]", rule.office, rule.patterns, rule.types)
                for i, rule in enumerate(rules)
            ),
            tuple(
                _compile(f"offices.competence[{i}]", rule.entity, rule.patterns, rule.types)
                for i, rule in enumerate(competence)
            ),
        )


def _compile(key: str, target: str, patterns: Sequence[str], types: Sequence[str]) -> _Compiled:
    compiled = []
    for i, pattern in enumerate(patterns):
        try:
            compiled.append(re.compile(pattern))
        except re.error as error:
            raise ValueError(f"{key}.patterns[{i}]: {pattern_problem(pattern)}") from error
    return _Compiled(key, target, tuple(compiled), frozenset(types))


def assign_office(request_type: str, text: str, rules: OfficeRules) -> OfficeDecision:
    """The office that answers a request, and another competent entity if there is one."""
    folded = fold_plain(text)
    office = next(
        (
            (rule, words)
            for rule in rules.rules
            if (words := rule.match(request_type, folded)) is not None
        ),
        None,
    )
    other = next(
        (
            (rule, words)
            for rule in rules.competence
            if (words := rule.match(request_type, folded)) is not None
        ),
        None,
    )
    if other is not None:
        entity_rule, entity_words = other
        why = f"competence of {entity_rule.target}: {entity_words!r} ({entity_rule.key})"
        if office is None or not office[0].patterns:
            return OfficeDecision(rules.default, entity_rule.key, entity_rule.target, why)
        rule, words = office
        return OfficeDecision(
            rule.target, rule.key, entity_rule.target, f"{words!r} ({rule.key}); also {why}"
        )
    if office is not None:
        rule, words = office
        matched = f"{words!r}" if words else f"type {request_type}"
        return OfficeDecision(rule.target, rule.key, "", f"{matched} ({rule.key})")
    return OfficeDecision(rules.default, "offices.default", "", "no rule matched")
