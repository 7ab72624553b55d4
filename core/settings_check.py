"""What `ventanilla check` adds to validation: warnings, and reaching each service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ventanilla.errors import ChannelError
from ventanilla.settings import Settings, read_file, secrets_in_file, settings_path


def settings_warnings(settings: Settings) -> list[str]:
    path, required = settings_path()
    warnings = secrets_in_file(read_file(path, required))
    if settings.twilio.enabled:
        warnings.extend(_sms_budget(settings))
    warnings.extend(_docsys(settings))
    telegram = settings.telegram
    if (
        telegram.enabled
        and telegram.mode == "webhook"
        and not settings.web.public_url.startswith("https://")
    ):
        warnings.append(
            "web.public_url: Telegram calls webhooks over HTTPS only (a local Bot API server "
            "accepts HTTP)"
        )
    return warnings


def _docsys(settings: Settings) -> list[str]:
    """What the chosen document system does not do (yet), in one line each."""
    docsys = settings.docsys
    if docsys.backend == "http":
        return [
            "docsys.backend: http is not used by the pipeline yet; cases are still numbered "
            "by the built-in registry"
        ]
    if docsys.backend != "orfeo":
        return []
    warnings = [
        "docsys.backend: orfeo: an annulment is recorded here only; it is not sent to "
        "Orfeo yet (solicitarAnulacion)"
    ]
    if docsys.orfeo_lookup == "none":
        warnings.append(
            "docsys.orfeo_lookup: none: a lost answer from Orfeo waits for a clerk on "
            "/radicacion (add consultarRadicadoCuentai and set cuentai: README, Orfeo)"
        )
    return warnings


def _sms_budget(settings: Settings) -> list[str]:
    """The SMS acknowledgement with the longest radicado and date must fit 2 segments."""
    from datetime import UTC, date, datetime

    from ventanilla.routing.sms import segments, to_gsm7
    from ventanilla.store.pipeline import CaseFacts
    from ventanilla.templates import case_context, environment

    case = CaseFacts(
        id=1,
        radicado="9" * 20,
        filed_at=datetime(2026, 9, 30, 20, 59, tzinfo=UTC),
        due_date=date(2026, 9, 30),
        type="informacion",
    )
    # With priority attention: its line is the longer one.
    text = environment.get_template("ack/sms.txt.j2").render(
        case_context(case, settings, flags=("riesgo_derecho_fundamental",)) | {"name": ""}
    )
    cost = segments(to_gsm7(text))
    if cost.segments <= 2:
        return []
    return [
        f"web.public_url, entity.privacy_policy_url: the SMS acknowledgement needs "
        f"{cost.segments} segments (2 is the budget); shorter URLs bring it back"
    ]


def _reach(adapter: Any, problem: Callable[[ChannelError], str]) -> list[str]:
    """A provider reached with its adapter's probe: no problem, or the line naming the key."""
    try:
        adapter.probe()
    except ChannelError as error:
        return [problem(error)]
    finally:
        close = getattr(adapter, "close", None)
        if close is not None:
            close()
    return []


def connection_problems(settings: Settings) -> list[str]:
    import redis

    from ventanilla.store.engine import Database

    problems = []
    try:
        database = Database(settings.store.url)
        database.ping()
        database.dispose()
    except Exception as error:  # report every unreachable service, not just the first
        problems.append(f"store.url: cannot connect ({type(error).__name__}: {error})"[:300])
    try:
        redis.Redis.from_url(settings.queue.redis_url, socket_connect_timeout=3).ping()
    except Exception as error:
        problems.append(f"queue.redis_url: cannot connect ({type(error).__name__}: {error})")
    if settings.email.enabled:
        from ventanilla.adapters.email import EmailAdapter

        problems += _reach(
            EmailAdapter(settings.email),
            lambda error: f"email.imap_host: cannot read the mailbox ({error})",
        )
    if settings.twilio.enabled:
        from ventanilla.adapters.twilio import TwilioAdapter

        problems += _reach(
            TwilioAdapter(settings),
            lambda error: f"{str(error).removeprefix('sms: ')} (cannot reach Twilio)",
        )
    if settings.telegram.enabled:
        from ventanilla.adapters.telegram import TelegramAdapter

        problems += _reach(
            TelegramAdapter(settings.telegram),
            lambda error: f"{str(error).removeprefix('telegram: ')} (cannot reach Telegram)",
        )
    if settings.x.enabled:
        from ventanilla.adapters.x import XAdapter

        problems += _reach(XAdapter(settings), lambda error: str(error).removeprefix("x: "))
    if settings.docsys.backend == "orfeo":
        from ventanilla.docsys.orfeo import client_from_settings

        client = client_from_settings(settings.docsys)
        try:
            lookup = settings.docsys.orfeo_lookup == "cuentai"
            problems += [
                f"docsys.{key}: {line}" for key, line in client.check_service(lookup=lookup)
            ]
        finally:
            client.close()
    if settings.email.smtp_host:
        import smtplib

        try:
            with smtplib.SMTP(settings.email.smtp_host, settings.email.smtp_port, timeout=5):
                pass
        except OSError as error:
            problems.append(f"email.smtp_host: cannot connect ({error})")
    return problems
