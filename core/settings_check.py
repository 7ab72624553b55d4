"""What `ventanilla check` adds to validation: warnings, and reaching each service."""

from __future__ import annotations

from ventanilla.settings import Settings, read_file, secrets_in_file, settings_path

# Channels whose intake has not landed yet: enabling them does nothing today.
NOT_YET_AVAILABLE = ("telegram", "x", "twilio")


def settings_warnings(settings: Settings) -> list[str]:
    path, required = settings_path()
    warnings = secrets_in_file(read_file(path, required))
    for section in NOT_YET_AVAILABLE:
        if getattr(settings, section).enabled:
            warnings.append(
                f"{section}.enabled: this version has no {section} intake yet; "
                "the setting is ignored"
            )
    return warnings


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
        from ventanilla.errors import ChannelError

        adapter = EmailAdapter(settings.email)
        try:
            adapter.probe()
        except ChannelError as error:
            problems.append(f"email.imap_host: cannot read the mailbox ({error})")
        finally:
            adapter.close()
    if settings.email.smtp_host:
        import smtplib

        try:
            with smtplib.SMTP(settings.email.smtp_host, settings.email.smtp_port, timeout=5):
                pass
        except OSError as error:
            problems.append(f"email.smtp_host: cannot connect ({error})")
    return problems
