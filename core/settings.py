"""Settings: `settings.toml` (path in VENTANILLA_SETTINGS) overlaid by VENTANILLA_<SECTION>__<KEY>.

Read once at start-up by `load_settings()`; nothing else in the code reads the environment.
A wrong value raises ConfigurationError with one line per problem naming its key.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from ventanilla.errors import ConfigurationError
from ventanilla.message import CHANNELS
from ventanilla.routing.offices import (
    DEFAULT_COMPETENCE,
    DEFAULT_OFFICE,
    DEFAULT_RULES,
    CompetenceRule,
    OfficeRule,
)
from ventanilla.routing.priority import FLAG_SLUGS
from ventanilla.routing.terms import DEFAULT_OFFICE_HOURS, OfficeHours
from ventanilla.routing.text import pattern_problem
from ventanilla.routing.types import REQUEST_TYPES

SETTINGS_ENV = "VENTANILLA_SETTINGS"
DEFAULT_SETTINGS_FILE = "settings.toml"
# Keys that hold secrets: they belong in the environment, never in a file in the repo.
SECRET_KEYS = ("password", "token", "secret", "consumer_key", "api_key")

Security = Literal["tls", "starttls", "plain"]


class Section(BaseModel):
    # A typo in a key must stop start-up, not be silently ignored.
    model_config = ConfigDict(extra="forbid", validate_default=True)


class StoreSettings(Section):
    url: str = "sqlite:///var/ventanilla.db"
    auto_migrate: bool = True
    attachments_dir: str = "var/attachments"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("expected a SQLAlchemy URL starting with sqlite:// or postgresql")
        return value


class QueueSettings(Section):
    redis_url: str = "redis://127.0.0.1:6379/0"
    namespace: str = "ventanilla"

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected a URL like redis://127.0.0.1:6379/0")
        return value


class WorkerSettings(Section):
    processes: int = Field(8, ge=1, le=64)
    threads: int = Field(1, ge=1, le=256)
    max_retries: int = Field(5, ge=0, le=50)
    # A message whose stage has not moved for this long is re-enqueued by the reconciler.
    stuck_after_seconds: float = Field(60.0, gt=0)
    reconcile_every_seconds: float = Field(30.0, gt=0)
    # DESIGN rule 4: past this many acknowledgements to one sender in an hour, silence.
    acks_per_sender_per_hour: int = Field(5, ge=1)
    # CPU seconds the routing decisions of one message may take before it is quarantined
    # with the reason (workers/budget.py): a batch of 25 stays well inside the actor's 300 s
    # time limit. Normal messages take milliseconds; linear steps take ~1 s per 200,000
    # characters, so only a pathological message gets near it.
    message_cpu_seconds: float = Field(10.0, gt=0, le=300)
    # And past this many to the requests of one client address of the web form and API
    # (its own address typed many times or many victims' ones): silence. Loopback: no limit.
    acks_per_origin_per_hour: int = Field(10, ge=1)


class DedupeSettings(Section):
    """Duplicates (one person, one request) and mass petitions (art. 22 Ley 1755)."""

    # A request is a duplicate of a live case of the same person filed this many days back...
    window_days: int = Field(30, ge=1, le=3650)
    # ...when the Jaccard index of their words (2-word shingles) is at least this. Below
    # 0.5 different requests of one person would be taken for one.
    near_duplicate_threshold: float = Field(0.8, ge=0.5, le=1.0)
    # Art. 22: more than this many different petitioners with analogous petitions...
    mass_petition_min_petitioners: int = Field(10, ge=1, le=10000)
    # ...analogous meaning an estimated Jaccard at least this (the index finds pairs of
    # 0.6 two times in three, of 0.7 nine in ten; below 0.5 it would miss most)...
    mass_petition_threshold: float = Field(0.7, ge=0.5, le=1.0)
    # ...filed within this many days of each other.
    mass_petition_window_days: int = Field(30, ge=1, le=3650)


class WebSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8000"
    # How long POST /api/v1/requests waits for the radicado before answering 202.
    intake_wait_seconds: float = Field(5.0, ge=0, le=25)
    form_enabled: bool = True
    max_attachments: int = Field(5, ge=0, le=20)
    max_attachment_bytes: int = Field(5 * 1024 * 1024, ge=1)
    max_text_chars: int = Field(20000, ge=100)
    # A request body larger than this is refused (413) before it is read; 0: what the form
    # allows (every attachment at its largest, base64-encoded, plus the text).
    max_body_bytes: int = Field(0, ge=0)
    # A body that sends nothing for this long is a half-open connection: 408.
    body_timeout_seconds: float = Field(30.0, gt=0, le=600)
    # Who may read /metrics and /openapi.json (comma-separated networks): loopback only,
    # unless the monitoring host's network is added here.
    internal_networks: str = "127.0.0.0/8, ::1/128"
    # Proxies whose X-Forwarded-For names the client (comma-separated addresses).
    trusted_proxies: str = "127.0.0.1, ::1"
    # Intake requests (form and API) one client address may make per hour; past it 429
    # with Retry-After and nothing stored. Loopback clients without a forwarded address
    # (local tools, the benchmarks) are not limited. 0 turns the limit off.
    intake_per_hour: int = Field(30, ge=0)
    # The HTML form: a submission faster than this after the form was shown is asked to
    # be sent again (a person cannot read and fill it that fast; a bot can).
    form_min_fill_seconds: float = Field(3.0, ge=0, le=120)
    # Tries of the status page's "correo o celular" check one client address may make per
    # hour (radicados are sequential: without it the check could be guessed). 0: off.
    status_checks_per_hour: int = Field(20, ge=0)

    @field_validator("internal_networks", "trusted_proxies")
    @classmethod
    def _addresses(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value

    def body_limit(self) -> int:
        if self.max_body_bytes:
            return self.max_body_bytes
        attachments = self.max_attachments * self.max_attachment_bytes * 4 // 3
        return attachments + self.max_text_chars * 4 + 256 * 1024

    def internal(self) -> list[str]:
        return _comma_list(self.internal_networks)

    def proxies(self) -> list[str]:
        return _comma_list(self.trusted_proxies)


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class EmailSettings(Section):
    enabled: bool = False
    imap_host: str = ""
    imap_port: int = Field(993, ge=1, le=65535)
    imap_user: str = ""
    imap_password: str = ""
    imap_security: Security = "tls"
    imap_folder: str = "INBOX"
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: Security = "starttls"
    # A CA certificate file to trust for IMAP and SMTP TLS besides the system's (a private
    # CA, or a server's self-signed certificate).
    tls_ca_file: str = ""
    address: str = "atencionalciudadano@example.gov.co"
    display_name: str = "Atención al Ciudadano"
    outbox_dir: str = "var/outbox"
    # Where a stored message goes at the source: empty marks it \Seen in imap_folder,
    # a folder name moves it there (created when missing).
    done_folder: str = ""
    # Messages fetched per round trip and per store transaction (bounded memory).
    fetch_batch: int = Field(100, ge=1, le=1000)
    # Longest wait for new mail with IMAP IDLE (or between polls without it).
    idle_seconds: float = Field(60.0, gt=0, le=1740)  # RFC 2177: re-issue IDLE within 29 min
    max_message_bytes: int = Field(40 * 1024 * 1024, ge=1024)
    max_attachments: int = Field(20, ge=0, le=500)
    max_attachment_bytes: int = Field(15 * 1024 * 1024, ge=1)

    @model_validator(mode="after")
    def _mailbox_named_when_enabled(self) -> EmailSettings:
        missing = [key for key in ("imap_host", "imap_user") if not getattr(self, key)]
        if self.enabled and missing:
            # "key: message" names the key within the section (see _problem_lines).
            raise ValueError(f"{missing[0]}: required when email.enabled is true")
        return self

    @field_validator("tls_ca_file")
    @classmethod
    def _ca_file_exists(cls, value: str) -> str:
        if value and not Path(value).is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("imap_security")
    @classmethod
    def _plain_only_on_loopback(cls, value: str, info: ValidationInfo) -> str:
        # Plain IMAP sends the password in clear: acceptable only to this same machine.
        host = info.data.get("imap_host", "")
        if value == "plain" and host not in ("", "127.0.0.1", "::1", "localhost"):
            raise ValueError(
                f"plain sends the password unencrypted to {host}; use tls or starttls "
                "(plain is for a server on 127.0.0.1 only)"
            )
        return value


class TelegramSettings(Section):
    enabled: bool = False
    # The bot's token from @BotFather: a secret, from VENTANILLA_TELEGRAM__TOKEN.
    token: str = ""
    # The Bot API server's root: requests go to {api_url}/bot{token}/{method}.
    api_url: str = "https://api.telegram.org"
    # polling: the poller reads getUpdates; webhook: Telegram POSTs each update to
    # {web.public_url}/webhooks/telegram, which `ventanilla web` registers at start.
    mode: Literal["polling", "webhook"] = "polling"
    # The header Telegram sends with each webhook (1-256 of A-Z a-z 0-9 _ -): a secret,
    # from VENTANILLA_TELEGRAM__WEBHOOK_SECRET.
    webhook_secret: str = Field("", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    # Longest getUpdates long poll; a new message is taken as soon as it arrives.
    poll_timeout: int = Field(25, ge=1, le=50)
    # Updates per getUpdates and per store transaction (the Bot API allows 1-100).
    fetch_limit: int = Field(100, ge=1, le=100)
    max_files: int = Field(5, ge=0, le=20)
    # The Bot API lets a bot download files up to 20 MB; larger ones are noted, not kept.
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, le=20 * 1024 * 1024)

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("expected the Bot API server's URL, like https://api.telegram.org")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> TelegramSettings:
        if self.enabled and not self.token:
            raise ValueError("token: required when telegram.enabled is true")
        if self.enabled and self.mode == "webhook" and not self.webhook_secret:
            raise ValueError("webhook_secret: required when telegram.mode is webhook")
        return self


class XSettings(Section):
    enabled: bool = False
    # App-only token: mentions are read with it when set (else with the user context).
    bearer_token: str = ""
    # OAuth 1.0a user context of our account: DMs, replies and posts need all four.
    consumer_key: str = ""
    consumer_secret: str = ""
    access_token: str = ""
    access_token_secret: str = ""
    # Our handle (without @); empty: the access token's own account.
    account: str = ""
    # Our numeric account id; empty: looked up once from `account`.
    account_id: str = Field("", pattern=r"^[0-9]*$")
    api_url: str = "https://api.x.com"
    poll_every_seconds: float = Field(60.0, gt=0)
    # How far back the very first listing goes (mentions and DMs).
    poll_lookback_hours: float = Field(24.0, gt=0, le=720)
    # Read direct messages (needs the app's Direct Messages permission).
    dm_enabled: bool = True
    # Messages per store transaction.
    fetch_batch: int = Field(100, ge=1, le=1000)

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> XSettings:
        keys = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        missing = [key for key in keys if not getattr(self, key)]
        if self.enabled and missing:
            raise ValueError(
                f"{missing[0]}: required when x.enabled is true (replies and DMs are sent "
                "as our account, with OAuth 1.0a)"
            )
        return self

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("expected a URL like https://api.x.com")
        return value


class TwilioSettings(Section):
    enabled: bool = False
    account_sid: str = ""
    auth_token: str = ""
    api_url: str = "https://api.twilio.com"
    sms_from: str = ""
    whatsapp_from: str = ""
    # Phone numbers without a country code are read as numbers of this region.
    region: str = Field("CO", pattern=r"^[A-Z]{2}$")
    max_media: int = Field(5, ge=0, le=10)
    max_media_bytes: int = Field(5 * 1024 * 1024, ge=1)
    # The safety net: how often the Messages list is read, and how far back the first time.
    poll_every_seconds: float = Field(300.0, gt=0)
    poll_lookback_hours: float = Field(24.0, gt=0)
    recording_max_seconds: int = Field(120, ge=5, le=3600)
    voice: str = "Polly.Mia"
    voice_greeting: str = (
        "Bienvenido a la línea de atención al ciudadano. Después del tono, deje su petición, "
        "queja, reclamo, sugerencia o denuncia, con su nombre. Recibirá un mensaje de texto "
        "con su número de radicado."
    )
    voice_privacy_notice: str = (
        "Sus datos se tratan según la política de protección de datos personales de la "
        "entidad, publicada en su página web, con el fin de responder su solicitud."
    )
    voice_thanks: str = (
        "Gracias. Recibimos su mensaje. Le enviaremos el radicado por mensaje de texto."
    )

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> TwilioSettings:
        missing = [k for k in ("account_sid", "auth_token", "sms_from") if not getattr(self, k)]
        if self.enabled and missing:
            raise ValueError(f"{missing[0]}: required when twilio.enabled is true")
        return self


class OfficeSettings(Section):
    hours: str = DEFAULT_OFFICE_HOURS
    timezone: str = "America/Bogota"
    filing_office: str = Field("100", pattern=r"^[0-9]{1,6}$")

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        OfficeHours.parse(value)  # ValueError says the expected form
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone_known(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; expected e.g. America/Bogota") from None
        return value


class RadicadoSettings(Section):
    # Orfeo-style layout: year, filing office, 6-digit consecutive, 2 = incoming (entrada).
    format: str = "{year}{office}{number:06d}{kind}"
    kind_digit: str = Field("2", pattern=r"^[0-9]$")

    @field_validator("format")
    @classmethod
    def _format_has_number(cls, value: str) -> str:
        if "{number" not in value:
            raise ValueError(
                "the format must contain {number} (e.g. {year}{office}{number:06d}{kind})"
            )
        try:
            value.format(year=2026, office="100", number=1, kind="2")
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError(
                f"bad format ({exc}); fields available: year, office, number, kind"
            ) from None
        return value


_ORFEO_CODE = r"^[0-9]{1,6}$"


def _codes_by(keys: tuple[str, ...], what: str) -> Any:
    """A table of Orfeo codes keyed by channel or request type, plus `default`."""

    def check(value: dict[str, str]) -> dict[str, str]:
        if "default" not in value:
            raise ValueError(f"needs a `default` code besides the {what}s")
        for key, code in value.items():
            if key != "default" and key not in keys:
                raise ValueError(f"unknown {what} {key!r}; expected one of {', '.join(keys)}")
            if not re.match(_ORFEO_CODE, code):
                raise ValueError(f"{key}: {code!r} is not an Orfeo code (digits)")
        return value

    return AfterValidator(check)


class DocsysSettings(Section):
    """The document system that gives radicados (README, "Orfeo").

    `builtin` numbers cases in our store; `orfeo` files each case in Orfeo after the
    radicate stage (workers/filing.py); `http` is not built yet.
    """

    backend: Literal["builtin", "orfeo", "http"] = "builtin"
    # Orfeo's web service: .../webServices/servidor.php?wsdl (calls go to the same URL
    # without ?wsdl, not to the host nusoap writes into the WSDL).
    orfeo_wsdl: str = ""
    # The Orfeo user (login or e-mail) who receives the radicados, sent as `coddepe` and
    # `radi_usua_actu`: the radicado takes this user's dependency. Not a dependency code.
    orfeo_login: str = ""
    # That user's e-mail as Orfeo holds it (USUA_EMAIL): crearAnexo finds the user by it.
    # Empty: orfeo_login (when the login already is the e-mail).
    orfeo_email: str = Field("", pattern=r"^(|[^@\s]+@[^@\s]+)$")
    # After an unknown outcome: ask Orfeo for our reference through the
    # consultarRadicadoCuentai operation the entity adds ("cuentai"), or leave it to a
    # clerk ("none"). Never a blind retry.
    orfeo_lookup: Literal["cuentai", "none"] = "none"
    orfeo_timeout_seconds: float = Field(30.0, gt=0, le=600)
    # The longest wait between two calls to an Orfeo that is down (the backoff doubles
    # from 1 s up to this).
    retry_max_seconds: float = Field(300.0, gt=0, le=3600)
    # tpRadicado: the radicado type, the number's last digit (2 entrada in Orfeo).
    orfeo_tp_radicado: str = Field("2", pattern=r"^[0-9]$")
    # med: the medio de recepción (MREC_CODI, the entity's MEDIO_RECEPCION table) per
    # channel; 4 is e-mail in the main line (its radicarCorreo sends 4).
    orfeo_med: Annotated[dict[str, str], _codes_by(CHANNELS, "channel")] = {"default": "4"}
    # tdoc: the tipo documental of the entity's TRD (TDOC_CODI) per request type.
    orfeo_tdoc: Annotated[dict[str, str], _codes_by(REQUEST_TYPES, "request type")] = {
        "default": "0"
    }
    # tip_rem: the sender type (TRTE_CODI): 0 ciudadano, 1 ESP, 2 empresa.
    orfeo_tip_rem: str = Field("0", pattern=_ORFEO_CODE)
    # tip_doc: the identity document type (TDID_CODI): 0 cédula de ciudadanía.
    orfeo_tip_doc: str = Field("0", pattern=_ORFEO_CODE)
    # carp_codi: the folder of the receiving user the radicado lands in (0 Entrada);
    # carp_per: 0 a general folder, 1 one of the user's personal folders.
    orfeo_carp_codi: str = Field("0", pattern=_ORFEO_CODE)
    orfeo_carp_per: Literal["0", "1"] = "0"
    # The destinatario's place when the citizen gives none: "país-departamento" and
    # "país-departamento-municipio" (DIVIPOLA), Bogotá by default.
    orfeo_codep: str = Field("170-11", pattern=r"^[0-9]+-[0-9]+$")
    orfeo_muni: str = Field("170-11-1", pattern=r"^[0-9]+-[0-9]+-[0-9]+$")

    @model_validator(mode="after")
    def _orfeo_needs_its_service(self) -> DocsysSettings:
        if self.backend == "orfeo":
            if not self.orfeo_wsdl.startswith(("http://", "https://")):
                raise ValueError(
                    "orfeo_wsdl: required when backend is orfeo "
                    "(https://.../webServices/servidor.php?wsdl)"
                )
            if not self.orfeo_login.strip():
                raise ValueError(
                    "orfeo_login: required when backend is orfeo (the Orfeo user who receives)"
                )
        return self


class EntitySettings(Section):
    name: str = "Unidad del Servicio Público de Empleo"
    short_name: str = "SPE"
    privacy_policy_url: str = "https://www.serviciodeempleo.gov.co/politica-de-tratamiento-de-datos"
    contact_phone: str = "(601) 756 0009"


class MentionsSettings(Section):
    # More social messages than this in the window raise the spike alert.
    spike_threshold: int = Field(50, ge=1)
    spike_window_minutes: int = Field(60, ge=1, le=1440)
    # At most one alert per this many minutes.
    alert_cooldown_minutes: int = Field(60, ge=1)
    # A Telegram chat (id) told of each spike; empty: the banner on /menciones only.
    alert_telegram_chat: str = ""
    # How often the live page asks for new mentions.
    refresh_seconds: float = Field(5.0, gt=0, le=300)


class ClassifierRule(Section):
    """One legally decisive signal: `pattern` (a regex on folded text) decides `type`."""

    name: str
    type: str
    pattern: str

    @field_validator("type")
    @classmethod
    def _decides_a_request(cls, value: str) -> str:
        from ventanilla.routing.classify import ANY_REQUEST
        from ventanilla.routing.types import REQUEST_TYPES

        if value not in (*REQUEST_TYPES, ANY_REQUEST):
            raise ValueError(f"expected one of {', '.join((*REQUEST_TYPES, ANY_REQUEST))}")
        return value

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a valid regular expression ({error})") from None
        return value


def _default_rules() -> list[ClassifierRule]:
    from ventanilla.routing.classify import DECISIVE_RULES

    return [ClassifierRule(name=n, type=t, pattern=p) for n, t, p in DECISIVE_RULES]


class ClassifierSettings(Section):
    # Trained models are kept here (trained from routing/data when missing or stale).
    model_dir: str = "var/classifier"
    # Below this confidence the case is radicated all the same and flagged "revisar tipo".
    review_below: float = Field(0.4, ge=0.0, le=1.0)
    # A message read as no request (chatter, spam, empty) with less confidence than this
    # is radicated all the same, for review: the law presumes a petition.
    presume_request_below: float = Field(0.3, ge=0.0, le=1.0)
    # Legally decisive signals, checked before the model (first match wins).
    rules: list[ClassifierRule] = Field(default_factory=_default_rules)


def _folded_pattern(value: str) -> str:
    problem = pattern_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _request_type(value: str) -> str:
    if value not in REQUEST_TYPES:
        raise ValueError(
            f"{value!r} is not a request type; expected one of {', '.join(REQUEST_TYPES)}"
        )
    return value


# A regular expression on folded text (routing.text.fold_plain), and a request type slug.
Pattern = Annotated[str, AfterValidator(_folded_pattern)]
RequestType = Annotated[str, AfterValidator(_request_type)]


class PrioritySettings(Section):
    # Business days to answer, by flag slug, when the entity's own PQRSDF regulation
    # shortens the legal term (Ley 1755 art. 20 gives priority, not a number of days).
    # Empty: no shortening. The shortest applicable term wins.
    term_days: dict[str, Annotated[int, Field(ge=0, le=30)]] = {}

    @field_validator("term_days")
    @classmethod
    def _known_flags(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(FLAG_SLUGS))
        if unknown:
            raise ValueError(
                f"{unknown[0]!r} is not a flag; expected one of {', '.join(FLAG_SLUGS)}"
            )
        return value


class OfficeRuleSettings(Section):
    office: str = Field(min_length=1, max_length=120)
    patterns: list[Pattern] = []
    types: list[RequestType] = []

    @model_validator(mode="after")
    def _matches_something(self) -> OfficeRuleSettings:
        if not self.patterns and not self.types:
            raise ValueError(
                "patterns: give patterns, types or both (a rule needs something to match)"
            )
        return self

    def rule(self) -> OfficeRule:
        return OfficeRule(self.office, tuple(self.patterns), tuple(self.types))


class CompetenceSettings(Section):
    entity: str = Field(min_length=1, max_length=200)
    patterns: list[Pattern] = Field(min_length=1)
    types: list[RequestType] = []

    def rule(self) -> CompetenceRule:
        return CompetenceRule(self.entity, tuple(self.patterns), tuple(self.types))


class OfficesSettings(Section):
    # Where a case goes when no rule matches, and who forwards another entity's matters.
    default: str = Field(DEFAULT_OFFICE, min_length=1, max_length=120)
    # `[[offices.rules]]`: first match wins; `[[offices.competence]]`: another entity's
    # matter (routing/offices.py). Setting either replaces its defaults, the SPE's structure.
    rules: list[OfficeRuleSettings] = Field(
        default_factory=lambda: [
            OfficeRuleSettings(office=r.office, patterns=list(r.patterns), types=list(r.types))
            for r in DEFAULT_RULES
        ]
    )
    competence: list[CompetenceSettings] = Field(
        default_factory=lambda: [
            CompetenceSettings(entity=r.entity, patterns=list(r.patterns), types=list(r.types))
            for r in DEFAULT_COMPETENCE
        ]
    )


class FaqSettings(Section):
    enabled: bool = True
    # A folder of frequent questions (*.md); empty: the built-in templates/faq.
    directory: str = ""
    # How sure a match must be (0.5 to 1) before the acknowledgement carries the answer.
    min_score: float = Field(0.8, ge=0.5, le=1.0)

    @field_validator("directory")
    @classmethod
    def _folder_exists(cls, value: str) -> str:
        if value and not Path(value).is_dir():
            raise ValueError(f"no such folder: {value}")
        return value


class StaffSettings(Section):
    """The staff workspace: sessions, the login rate limit, the daily deadline digest."""

    # A session ends this long after login, or after this long without a request.
    session_hours: float = Field(8.0, gt=0, le=24 * 7)
    idle_minutes: float = Field(30.0, gt=0, le=24 * 60)
    # More failed logins than this per user name or per address within lockout_minutes:
    # further tries are refused (429) until the oldest failures leave the window.
    max_failed_logins: int = Field(5, ge=1, le=100)
    lockout_minutes: float = Field(15.0, gt=0, le=24 * 60)
    min_password_length: int = Field(12, ge=8, le=128)
    page_size: int = Field(25, ge=5, le=500)
    # Comma-separated addresses that get the daily digest of cases due; empty: no digest.
    digest_to: str = ""
    # The digest goes once a day, at or after this hour (office.timezone).
    digest_hour: int = Field(7, ge=0, le=23)
    # Business days ahead that the digest lists, besides the overdue cases.
    digest_days: int = Field(3, ge=1, le=30)

    @field_validator("digest_to")
    @classmethod
    def _addresses(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        for address in digest_addresses(value):
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError as error:
                raise ValueError(f"{address!r} is not an e-mail address ({error})") from None
        return value

    @property
    def digest_recipients(self) -> list[str]:
        return digest_addresses(self.digest_to)


def digest_addresses(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class LogSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["console", "json"] = "console"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VENTANILLA_",
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    store: StoreSettings = StoreSettings()
    queue: QueueSettings = QueueSettings()
    worker: WorkerSettings = WorkerSettings()
    dedupe: DedupeSettings = DedupeSettings()
    web: WebSettings = WebSettings()
    email: EmailSettings = EmailSettings()
    telegram: TelegramSettings = TelegramSettings()
    x: XSettings = XSettings()
    twilio: TwilioSettings = TwilioSettings()
    office: OfficeSettings = OfficeSettings()
    radicado: RadicadoSettings = RadicadoSettings()
    docsys: DocsysSettings = DocsysSettings()
    entity: EntitySettings = EntitySettings()
    classifier: ClassifierSettings = ClassifierSettings()
    mentions: MentionsSettings = MentionsSettings()
    priority: PrioritySettings = PrioritySettings()
    offices: OfficesSettings = OfficesSettings()
    faq: FaqSettings = FaqSettings()
    staff: StaffSettings = StaffSettings()
    log: LogSettings = LogSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file comes in as init values; the environment overrides it key by key.
        return (env_settings, init_settings)


def settings_path() -> tuple[Path, bool]:
    """The settings file and whether it was named explicitly (then it must exist)."""
    named = os.environ.get(SETTINGS_ENV)
    return (Path(named), True) if named else (Path(DEFAULT_SETTINGS_FILE), False)


def read_file(path: Path, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigurationError([f"{SETTINGS_ENV}: file {path} does not exist"])
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError([f"{path}: not valid TOML ({exc})"]) from None


def _known_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: Any = Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # an item of a list of tables: its model is the list's
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        if annotation is not None and not isinstance(annotation, type):
            annotation = next(iter(get_args(annotation)), None)  # list[OfficeRuleSettings]
        if not isinstance(annotation, type) or not issubclass(annotation, BaseModel):
            return []
        model = annotation
    return list(model.model_fields)


def settings_key(loc: tuple[str | int, ...]) -> str:
    """A key as settings.toml names it: offices.rules[2].patterns[0]."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]


def _problem_lines(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        key = settings_key(loc)
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _known_keys(loc), n=1)
            hint = f"; did you mean {settings_key((*loc[:-1], close[0]))}?" if close else ""
            lines.append(f"{key}: unknown key{hint}")
            continue
        message = error["msg"].removeprefix("Value error, ")
        # A check across keys of one section (or of one table in a list) names its key
        # first: "imap_host: required...".
        across = re.match(r"^(\w+): (.*)$", message)
        if across and (len(loc) == 1 or isinstance(loc[-1], int)):
            lines.append(f"{key}.{across.group(1)}: {across.group(2)}")
            continue
        got = repr(error.get("input"))
        lines.append(f"{key}: {message}" if got in message else f"{key}: {message} (got {got})")
    return lines


def secrets_in_file(data: dict[str, Any]) -> list[str]:
    """Keys that hold a non-empty secret in the settings file (DESIGN rule 6)."""
    found = []
    for section, values in data.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            # By the key's end: `smtp_password` is a secret, `min_password_length` is not.
            if value and key.endswith(SECRET_KEYS):
                env = f"VENTANILLA_{section.upper()}__{key.upper()}"
                found.append(f"{section}.{key}: secrets belong in the environment ({env})")
    return found


def unknown_sections_in_environment() -> list[str]:
    """VENTANILLA_<SECTION>__<KEY> variables whose section does not exist (a typo there
    would otherwise be ignored silently, unlike a typo in the key)."""
    sections = list(Settings.model_fields)
    problems = []
    for name in sorted(os.environ):
        if not name.startswith("VENTANILLA_") or "__" not in name:
            continue
        section = name.removeprefix("VENTANILLA_").split("__", 1)[0].lower()
        if section not in sections:
            close = difflib.get_close_matches(section, sections, n=1)
            hint = f"; did you mean VENTANILLA_{close[0].upper()}__...?" if close else ""
            problems.append(f"{name}: no settings section {section!r}{hint}")
    return problems


def load_settings() -> Settings:
    """Read and validate the settings; ConfigurationError lists every problem by key."""
    path, required = settings_path()
    data = read_file(path, required)
    unknown = unknown_sections_in_environment()
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigurationError(unknown + _problem_lines(exc)) from None
    except SettingsError as exc:
        # VENTANILLA_<SECTION> (no __KEY) is parsed as JSON before validation and fails here.
        found = re.search(r'field "(\w+)"', str(exc))
        section = found.group(1).upper() if found else "<SECTION>"
        raise ConfigurationError(
            [
                f"VENTANILLA_{section}: not valid JSON for a whole section; "
                f"set VENTANILLA_{section}__<KEY> for each key instead"
            ]
        ) from None
    if unknown:
        raise ConfigurationError(unknown)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
