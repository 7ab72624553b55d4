"""A client for Orfeo's web service (`webServices/servidor.php`): typed calls, precise outcomes.

Orfeo, the open SGDEA most Colombian entities run, offers radication through a PHP nusoap
0.9.x service: rpc/encoded SOAP 1.1, parameters read **by position**, business errors
returned as the result string, no transaction. What a caller needs to know after a call is
therefore not "did it raise" but which of these happened:

- `Created(number)`: Orfeo answered with the radicado (or the anexo's code).
- `Refused(text)`: Orfeo answered an error string known to come before anything was
  created ("El usuario X no existe"): correct the cause, then file again.
- `Uncertain(reason)`: the request was sent and the radicado may exist (a timeout, a lost
  answer, HTTP 500 without a SOAP body, an error string Orfeo also returns after
  creating it). Never retried blindly: first ask Orfeo for our reference
  (`consultar_radicado_cuentai`) or a person does.
- `Unavailable(reason)`: nothing was processed (connection refused, HTTP 503): retry later.
- `SentUnconfirmed(reason)`, for annulment only: the main line declares
  `solicitarAnulacion` to return an undefined type, so nusoap answers the fault "unable to
  serialize result" after the request was recorded.

Why a hand-built envelope over httpx, not a SOAP library. The WSDL is fixed (the main
line's signatures) and small, and the wire format matters to the byte:
- suds-community (the one maintained SOAP client on PyPI that speaks rpc/encoded) needs a
  document plugin to read `xsd:base64binary` (lower-case b). With the plugin that turns it
  into `xsd:base64Binary`, suds sends the file typed `base64Binary`; nusoap then decodes
  the base64 itself and Orfeo's function decodes it again: checked against the Orfeo
  double (tests/orfeo), the main image arrives corrupted. Orfeo expects base64 text typed
  as its WSDL says, which this module sends. On a 500 without body suds raises
  AttributeError, and it fetches the WSDL before the first call, so an outage at start-up
  is an error instead of an outcome.
- zeep sends the Vector parts empty without an error.
- Here every transport event maps to one outcome class, which is the point of the client.
`check_service` still reads the WSDL, to prove the entity's Orfeo has the part order we
send (a fork with another order would shift every argument).
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, NamedTuple
from xml.sax.saxutils import escape

import httpx

if TYPE_CHECKING:
    from ventanilla.settings import DocsysSettings

NAMESPACE = "webServices/nusoap"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_ENC = "http://schemas.xmlsoap.org/soap/encoding/"
XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
# RADICADO.RADI_CUENTAI is varchar(20): the reference we file under must fit.
MAX_REFERENCE = 20
REFERENCE = re.compile(rf"^[A-Za-z0-9-]{{1,{MAX_REFERENCE}}}$")
PDF_NAME = re.compile(r"^[A-Za-z0-9_-]+\.pdf$")
# The annulment fault of the main line, after the request was recorded.
ANNULMENT_FAULT = "unable to serialize result"

# Answers known to come before Orfeo created anything (servidor.php returns them before
# newRadicado() succeeds). Any other text may follow a creation: it is Uncertain.
REFUSALS = (
    re.compile(r"^El usuario .* no existe", re.S),
    re.compile(r"^Error no genero un Numero de Secuencia"),
)
# A radicado: year, dependency, 6-digit sequence, type digit.
NUMBER = re.compile(r"^(?:19|20)\d{2}\d+\d{6}\d$")
ANEXO = re.compile(r"^Anexo Creado(\d+)$")
# XML 1.0 forbids these characters; a citizen's text may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Destinatario(NamedTuple):
    """One `Vector` part of radicarDocumento: 14 strings Orfeo reads by position.

    The field order *is* the wire order (0 documento ... 13 muni, as servidor.php reads
    it); callers name every value, so no value can land in another's position.
    """

    documento: str = ""  # 0: the party's code in Orfeo; empty means "no destinatario"
    cc_documento: str = ""  # 1: identity number (cédula)
    tipo_emp: str = "0"  # 2: 0 ciudadano, 1 ESP, 2 empresa, 6 funcionario
    nombre: str = ""  # 3: given names
    prim_apel: str = ""  # 4: first surname
    seg_apel: str = ""  # 5: second surname
    telefono: str = ""  # 6
    direccion: str = ""  # 7
    mail: str = ""  # 8
    otro: str = ""  # 9: free text (e.g. "dignatario")
    idcont: str = "1"  # 10: continent code (1 América)
    idpais: str = "170"  # 11: country code (170 Colombia)
    codep: str = ""  # 12: "país-departamento", e.g. 170-11
    muni: str = ""  # 13: "país-departamento-municipio", e.g. 170-11-1

    def vector(self) -> list[str]:
        return [str(value) for value in self]

    @classmethod
    def citizen(
        cls,
        *,
        name: str,
        cedula: str = "",
        email: str = "",
        phone: str = "",
        address: str = "",
        codep: str = "",
        muni: str = "",
    ) -> Destinatario:
        """A citizen (tipo_emp 0). Orfeo stores the destinatario only when `documento` is
        not empty, so a citizen without a cédula is filed under "0"."""
        given, first, second = split_name(name)
        return cls(
            documento=cedula or "0",
            cc_documento=cedula,
            tipo_emp="0",
            nombre=given,
            prim_apel=first,
            seg_apel=second,
            telefono=phone,
            direccion=address,
            mail=email,
            codep=codep,
            muni=muni,
        )


EMPTY_VECTOR = Destinatario(documento="", tipo_emp="", idcont="", idpais="")


def split_name(name: str) -> tuple[str, str, str]:
    """Given names and two surnames the Colombian way: the last two words are surnames when
    there are four or more (or three), the last one when there are two."""
    words = name.split()
    if len(words) >= 3:
        return " ".join(words[:-2]), words[-2], words[-1]
    if len(words) == 2:
        return words[0], words[1], ""
    return (words[0] if words else ""), "", ""


@dataclass(frozen=True)
class OrfeoMapping:
    """The Orfeo codes a radication carries besides the citizen: each field is the setting
    `docsys.orfeo_<field>` (README, "Orfeo", says what each code means)."""

    tp_radicado: str = "2"  # radicado type, the number's last digit: 2 entrada
    med: Mapping[str, str] = field(default_factory=lambda: {"default": "4"})  # per channel
    tdoc: Mapping[str, str] = field(default_factory=lambda: {"default": "0"})  # per type
    tip_rem: str = "0"  # sender type: 0 ciudadano
    tip_doc: str = "0"  # identity document type: 0 cédula de ciudadanía
    carp_codi: str = "0"  # folder the radicado lands in at the receiving user: 0 Entrada
    carp_per: str = "0"  # 0: a general folder, 1: a personal one
    codep: str = "170-11"  # the destinatario's place when the citizen gives none
    muni: str = "170-11-1"

    def med_for(self, channel: str) -> str:
        return self.med.get(channel, self.med["default"])

    def tdoc_for(self, request_type: str) -> str:
        return self.tdoc.get(request_type, self.tdoc["default"])


@dataclass(frozen=True)
class OrfeoFiling:
    """What radicarDocumento files: our reference (cuentai), the citizen, the request."""

    reference: str
    subject: str
    citizen: Destinatario
    channel: str
    request_type: str
    pdf: bytes
    # Orfeo takes the image's extension after the name's *first* dot: one dot only.
    pdf_name: str = "solicitud.pdf"
    annexes: str = ""  # `ane`: the annexes in words ("2 anexos: foto.jpg, cedula.pdf")

    def __post_init__(self) -> None:
        # Orfeo writes cuentai into its SQL between quotes: letters, digits and "-" only.
        if not REFERENCE.match(self.reference):
            raise ValueError(
                f"the reference must be 1 to {MAX_REFERENCE} letters, digits or '-'"
                f" (got {self.reference!r})"
            )
        if not PDF_NAME.match(self.pdf_name):
            raise ValueError(f"the PDF's name must be name.pdf with one dot ({self.pdf_name!r})")


@dataclass(frozen=True)
class Created:
    number: str


@dataclass(frozen=True)
class Refused:
    text: str


@dataclass(frozen=True)
class Uncertain:
    reason: str
    # We stopped waiting (a timeout): Orfeo may still be working on the request, so a
    # lookup right away could miss a radicado about to be created.
    timed_out: bool = False


@dataclass(frozen=True)
class Unavailable:
    reason: str


@dataclass(frozen=True)
class SentUnconfirmed:
    reason: str


Outcome = Created | Refused | Uncertain | Unavailable


@dataclass(frozen=True)
class OrfeoUserInfo:
    """getInfoUsuario's Vector: login, document, dependency, level, user code, name."""

    login: str
    document: str
    dependency: str
    level: str
    code: str
    name: str


class OrfeoError(Exception):
    """A call whose answer is not what the operation returns (lookups, user info)."""

    def __init__(self, outcome: Refused | Uncertain | Unavailable) -> None:
        self.outcome = outcome
        super().__init__(_describe(outcome))


def _describe(outcome: Refused | Uncertain | Unavailable) -> str:
    if isinstance(outcome, Refused):
        return f"Orfeo refused: {outcome.text}"
    return outcome.reason


@dataclass(frozen=True)
class _Fault:
    code: str
    text: str


# What one SOAP call gave: the return value, a fault, or a transport outcome.
_Answer = str | list[str] | _Fault | Uncertain | Unavailable


# The main line's signatures: name and type of each part, in order.
SIGNATURES: dict[str, tuple[tuple[str, str], ...]] = {
    "radicarDocumento": (
        ("file", "xsd:base64binary"),
        ("fileName", "xsd:string"),
        ("correo", "xsd:string"),
        ("destinatarioOrg", "tns:Vector"),
        ("predioOrg", "tns:Vector"),
        ("espOrg", "tns:Vector"),
        *((name, "xsd:string") for name in ("asu", "med", "ane", "coddepe", "tpRadicado")),
        *((name, "xsd:string") for name in ("cuentai", "radi_usua_actu", "tip_rem", "tdoc")),
        *((name, "xsd:string") for name in ("tip_doc", "carp_codi", "carp_per")),
    ),
    "crearAnexo": (
        ("radiNume", "xsd:string"),
        ("file", "xsd:base64binary"),
        ("filename", "xsd:string"),
        ("correo", "xsd:string"),
        ("descripcion", "xsd:string"),
    ),
    "solicitarAnulacion": (("radiNume", "xsd:string"), ("descripcion", "xsd:string")),
    "getInfoUsuario": (("usuaLoginMail", "xsd:string"),),
    "consultarRadicadoCuentai": (("cuentai", "xsd:string"), ("usuaLoginMail", "xsd:string")),
}
LOOKUP = "consultarRadicadoCuentai"


def envelope(operation: str, values: Sequence[str | bytes | Sequence[str]]) -> bytes:
    """The rpc/encoded request nusoap expects: the parts in the WSDL's order, each typed
    as the WSDL declares it (the file as base64 text typed `xsd:base64binary`)."""
    parts = []
    for (name, type_), value in zip(SIGNATURES[operation], values, strict=True):
        if type_ == "tns:Vector":
            assert isinstance(value, list | tuple) and len(value) == 14, name
            items = "".join(f'<item xsi:type="xsd:string">{_text(v)}</item>' for v in value)
            parts.append(
                f'<{name} xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[14]">'
                f"{items}</{name}>"
            )
        elif isinstance(value, bytes):
            encoded = base64.b64encode(value).decode("ascii")
            parts.append(f'<{name} xsi:type="{type_}">{encoded}</{name}>')
        else:
            assert isinstance(value, str), name
            parts.append(f'<{name} xsi:type="{type_}">{_text(value)}</{name}>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:SOAP-ENC="{SOAP_ENC}" '
        f'xmlns:xsd="{XSD}" xmlns:xsi="{XSI}" xmlns:tns="{NAMESPACE}" '
        f'SOAP-ENV:encodingStyle="{SOAP_ENC}"><SOAP-ENV:Body>'
        f"<tns:{operation}>{''.join(parts)}</tns:{operation}>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def parse_answer(body: bytes) -> str | list[str] | _Fault:
    """The `return` of an rpc response (a string, or a Vector's items), or its fault.

    Many Orfeo servers run with display_errors on, and the main line's functions read
    undefined variables: PHP notices come before the XML. The answer starts at the XML
    declaration (or the Envelope when there is none)."""
    start = body.find(b"<?xml")
    if start < 0:
        start = max(body.find(b"<SOAP-ENV:Envelope"), 0)
    root = ET.fromstring(body[start:])
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    if soap_body is None or len(soap_body) == 0:
        raise ValueError("no SOAP Body")
    answer = soap_body[0]
    if answer.tag == f"{{{SOAP_ENV}}}Fault":
        return _Fault(answer.findtext("faultcode", ""), answer.findtext("faultstring", ""))
    if len(answer) == 0:
        return ""
    value = answer[0]
    if len(value) or value.get(f"{{{SOAP_ENC}}}arrayType"):
        return [item.text or "" for item in value]
    return value.text or ""


class OrfeoClient:
    """Calls one Orfeo's web service as the user `login` (the user who receives).

    `email` is that user's address as Orfeo holds it (USUA_EMAIL): crearAnexo finds the
    user by it, and radicarDocumento documents its `correo` as the user's. The main line's
    getInfoUsuario takes the mailbox name (it appends the entity's domain) as `login`.

    `endpoint` is the service URL, the WSDL's URL without `?wsdl`: nusoap writes its own
    host name into the WSDL's address, which behind a proxy is often not reachable.
    """

    def __init__(
        self,
        wsdl_url: str,
        *,
        login: str,
        email: str = "",
        mapping: OrfeoMapping | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.wsdl_url = wsdl_url
        self.endpoint = wsdl_url.split("?", 1)[0]
        self.login = login
        self.email = email or login
        self.mapping = mapping or OrfeoMapping()
        self.http = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self.http.close()

    def _call(self, operation: str, *values: str | bytes | Sequence[str]) -> _Answer:
        request = envelope(operation, values)
        headers = {
            "Content-Type": "text/xml; charset=UTF-8",
            "SOAPAction": f'"{NAMESPACE}#{operation}"',
        }
        try:
            response = self.http.post(self.endpoint, content=request, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            return Unavailable(f"cannot connect to Orfeo ({type(error).__name__}: {error})")
        except httpx.TimeoutException as error:
            return Uncertain(
                f"no answer from Orfeo in time ({type(error).__name__})", timed_out=True
            )
        except httpx.TransportError as error:
            return Uncertain(f"the connection to Orfeo broke ({type(error).__name__}: {error})")
        status = response.status_code
        if status in (429, 503):
            return Unavailable(f"Orfeo answered HTTP {status} (unavailable)")
        if 400 <= status < 500 and status != 408:
            return Unavailable(f"Orfeo answered HTTP {status}: is docsys.orfeo_wsdl right?")
        try:
            return parse_answer(response.content)
        except (ET.ParseError, ValueError):
            if status >= 400:
                return Uncertain(f"Orfeo answered HTTP {status} without a SOAP answer")
            return Uncertain(f"Orfeo answered HTTP {status} with no SOAP answer in it")

    # -- operations -------------------------------------------------------------------

    def radicar(self, filing: OrfeoFiling) -> Outcome:
        """radicarDocumento: the request's PDF as main image, the citizen as destinatario,
        our reference in `cuentai`, the receiving user in `coddepe` and `radi_usua_actu`."""
        m = self.mapping
        answer = self._call(
            "radicarDocumento",
            filing.pdf,
            filing.pdf_name,
            self.email,
            filing.citizen._replace(
                codep=filing.citizen.codep or m.codep, muni=filing.citizen.muni or m.muni
            ).vector(),
            EMPTY_VECTOR.vector(),
            EMPTY_VECTOR.vector(),
            filing.subject,
            m.med_for(filing.channel),
            filing.annexes,
            self.login,
            m.tp_radicado,
            filing.reference,
            self.login,
            m.tip_rem,
            m.tdoc_for(filing.request_type),
            m.tip_doc,
            m.carp_codi,
            m.carp_per,
        )
        if isinstance(answer, str):
            text = answer.strip()
            if NUMBER.match(text):
                return Created(text)
            return _refused_or_uncertain(text)
        return _not_a_string(answer)

    def crear_anexo(
        self, radicado: str, filename: str, content: bytes, description: str
    ) -> Outcome:
        """crearAnexo: Created(the anexo's code) on "Anexo Creado<code>"."""
        answer = self._call("crearAnexo", radicado, content, filename, self.email, description)
        if isinstance(answer, str):
            text = answer.strip()
            created = ANEXO.match(text)
            if created:
                return Created(created.group(1))
            if text.startswith("Error en la adicion"):
                return Refused(text)  # the anexo row was not found after the insert
            return Uncertain(f"Orfeo answered: {text[:300]}")
        return _not_a_string(answer)

    def solicitar_anulacion(
        self, radicado: str, reason: str
    ) -> SentUnconfirmed | Created | Refused | Uncertain | Unavailable:
        """solicitarAnulacion. The main line always answers the fault "unable to serialize
        result", after recording the request: that is `SentUnconfirmed`, to be shown to
        staff as "solicitud enviada, sin confirmación de Orfeo"."""
        answer = self._call("solicitarAnulacion", radicado, reason)
        if isinstance(answer, _Fault) and ANNULMENT_FAULT in answer.text:
            return SentUnconfirmed(
                f"Orfeo received the annulment request and cannot confirm it ({answer.text})"
            )
        if isinstance(answer, str):  # a fork that fixed the return type
            if answer.startswith("Exito"):
                return Created(radicado)
            return Refused(answer) if answer.startswith("Error") else Uncertain(answer)
        return _not_a_string(answer)

    def get_info_usuario(self, login: str | None = None) -> OrfeoUserInfo:
        """getInfoUsuario: the Vector of 6 strings, or OrfeoError saying what went wrong."""
        who = self.login if login is None else login
        answer = self._call("getInfoUsuario", who)
        if isinstance(answer, list) and len(answer) == 6:
            return OrfeoUserInfo(*answer)
        if isinstance(answer, Uncertain) and "HTTP 500" in answer.reason:
            raise OrfeoError(
                Refused(
                    f"getInfoUsuario({who!r}) failed with HTTP 500 and no answer: that is "
                    "how Orfeo's getInfoUsuario fails for a user it does not know"
                )
            )
        raise OrfeoError(_failure("getInfoUsuario", answer))

    def consultar_radicado_cuentai(self, reference: str) -> list[str]:
        """The lookup extension: the radicados filed under `reference`, oldest first."""
        answer = self._call(LOOKUP, reference, self.login)
        if isinstance(answer, str):
            numbers = [n.strip() for n in answer.split(",") if n.strip()]
            if all(NUMBER.match(n) for n in numbers):
                return numbers
            raise OrfeoError(Refused(answer[:300]))
        raise OrfeoError(_failure(LOOKUP, answer))

    def check_service(self, *, lookup: bool) -> list[tuple[str, str]]:
        """What is wrong with this Orfeo for us: (the setting to look at, one line) each."""
        try:
            response = self.http.get(self.wsdl_url)
        except httpx.HTTPError as error:
            return [("orfeo_wsdl", f"cannot read the WSDL ({type(error).__name__}: {error})")]
        if response.status_code != 200:
            return [("orfeo_wsdl", f"the WSDL answered HTTP {response.status_code}")]
        try:
            found = wsdl_signatures(response.content)
        except ET.ParseError as error:
            return [("orfeo_wsdl", f"the WSDL is not XML ({error})")]
        problems = []
        for operation, expected in SIGNATURES.items():
            got = found.get(operation)
            key = "orfeo_lookup" if operation == LOOKUP else "orfeo_wsdl"
            if operation == LOOKUP and not lookup:
                continue
            if got is None:
                hint = " (add it: README, Orfeo; or set none)" if operation == LOOKUP else ""
                problems.append((key, f"Orfeo has no operation {operation}{hint}"))
            elif [name for name, _ in got] != [name for name, _ in expected]:
                names = ", ".join(name for name, _ in got)
                problems.append((key, f"{operation} takes ({names}), not the main line's parts"))
        if problems:
            return problems
        try:
            self.get_info_usuario()
        except OrfeoError as error:
            key = "orfeo_login" if isinstance(error.outcome, Refused) else "orfeo_wsdl"
            return [(key, str(error))]
        return []


def client_from_settings(settings: DocsysSettings) -> OrfeoClient:
    codes = {f.name: getattr(settings, f"orfeo_{f.name}") for f in fields(OrfeoMapping)}
    return OrfeoClient(
        settings.orfeo_wsdl,
        login=settings.orfeo_login,
        email=settings.orfeo_email,
        timeout=settings.orfeo_timeout_seconds,
        mapping=OrfeoMapping(**codes),
    )


def wsdl_signatures(wsdl: bytes) -> dict[str, list[tuple[str, str]]]:
    """Each operation's input parts (name, type) in order, as the WSDL declares them."""
    root = ET.fromstring(wsdl)
    messages = {
        message.get("name", ""): [
            (part.get("name", ""), part.get("type", "")) for part in message.iter(f"{{{WSDL}}}part")
        ]
        for message in root.iter(f"{{{WSDL}}}message")
    }
    found = {}
    for port_type in root.iter(f"{{{WSDL}}}portType"):
        for operation in port_type.iter(f"{{{WSDL}}}operation"):
            request = operation.find(f"{{{WSDL}}}input")
            message = (request.get("message", "") if request is not None else "").split(":")[-1]
            found[operation.get("name", "")] = messages.get(message, [])
    return found


def _refused_or_uncertain(text: str) -> Refused | Uncertain:
    if any(pattern.match(text) for pattern in REFUSALS):
        return Refused(text)
    return Uncertain(f"Orfeo answered: {text[:300]}")


def _not_a_string(answer: _Answer) -> Outcome:
    if isinstance(answer, Uncertain | Unavailable):
        return answer
    if isinstance(answer, _Fault):
        # nusoap answers a Client fault when it cannot read the request: nothing ran.
        if answer.code.endswith("Client"):
            return Refused(f"SOAP fault {answer.code}: {answer.text}")
        return Uncertain(f"SOAP fault {answer.code}: {answer.text}")
    return Uncertain(f"Orfeo answered a Vector where a string was expected: {answer!r}"[:300])


def _failure(operation: str, answer: _Answer) -> Refused | Uncertain | Unavailable:
    if isinstance(answer, Uncertain | Unavailable):
        return answer
    if isinstance(answer, _Fault):
        return Refused(f"{operation}: SOAP fault {answer.code}: {answer.text}")
    return Refused(f"{operation} answered {answer!r}"[:300])
