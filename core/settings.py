"""Settings: `settings.toml` (path in VENTANILLA_SETTINGS) overlaid by VENTANILLA_<SECTION>__<KEY>.

Read once at start-up by `load_settings()`; nothing else in the code reads the environment.
A wrong value raises ConfigurationError with one line per problem naming its key.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
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
from ventanilla.routing.terms import DEFAULT_OFFICE_HOURS, OfficeHours

SETTINGS_ENV = "VENTANILLA_SETTINGS"
DEFAULT_SETTINGS_FILE = "settings.toml"
# Keys that hold secrets: they belong in the environment, never in a file in the repo.
SECRET_KEYS = ("password", "token", "secret", "auth_token", "consumer_key")

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
    processes: int = Field(2, ge=1, le=64)
    threads: int = Field(4, ge=1, le=256)
    max_retries: int = Field(5, ge=0, le=50)
    # A message whose stage has not moved for this long is re-enqueued by the reconciler.
    stuck_after_seconds: float = Field(60.0, gt=0)
    reconcile_every_seconds: float = Field(30.0, gt=0)
    # DESIGN rule 4: past this many acknowledgements to one sender in an hour, silence.
    acks_per_sender_per_hour: int = Field(5, ge=1)


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
    token: str = ""
    api_url: str = "https://api.telegram.org"


class XSettings(Section):
    enabled: bool = False
    bearer_token: str = ""
    consumer_key: str = ""
    consumer_secret: str = ""
    access_token: str = ""
    access_token_secret: str = ""
    account: str = ""
    api_url: str = "https://api.x.com"


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


class EntitySettings(Section):
    name: str = "Unidad del Servicio Público de Empleo"
    short_name: str = "SPE"
    privacy_policy_url: str = "https://www.serviciodeempleo.gov.co/politica-de-tratamiento-de-datos"
    contact_phone: str = "(601) 756 0009"


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
    entity: EntitySettings = EntitySettings()
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


def _known_keys(loc: tuple[str, ...]) -> list[str]:
    model: Any = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(part)
        if field is None or not isinstance(field.annotation, type):
            return []
        model = field.annotation
    return list(model.model_fields)


def _problem_lines(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        key = ".".join(loc)
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(loc[-1], _known_keys(loc), n=1)
            hint = f"; did you mean {'.'.join((*loc[:-1], close[0]))}?" if close else ""
            lines.append(f"{key}: unknown key{hint}")
            continue
        message = error["msg"].removeprefix("Value error, ")
        # A check across keys of one section names its key first: "imap_host: required...".
        across = re.match(r"^(\w+): (.*)$", message)
        if len(loc) == 1 and across:
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
            if value and any(word in key for word in SECRET_KEYS):
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
