"""The small exception family every layer raises; edges (CLI, web, actors) catch it."""

from __future__ import annotations


class VentanillaError(Exception):
    """Base of every error ventanilla raises on purpose."""


class ConfigurationError(VentanillaError):
    """A setting is wrong; `problems` holds one `key: what was expected` line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class InputError(VentanillaError):
    """Citizen or operator input is invalid; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class ChannelError(VentanillaError):
    """A provider or server failed; `retryable` says whether trying again can help, and
    `retry_after` (seconds) when the provider said how long to wait (a rate limit)."""

    def __init__(
        self, channel: str, message: str, *, retryable: bool, retry_after: float | None = None
    ) -> None:
        self.channel = channel
        self.retryable = retryable
        self.retry_after = retry_after
        super().__init__(f"{channel}: {message}")


class StoreUnavailable(VentanillaError):
    """The store cannot be reached or is restarting: nothing was written, try again soon.

    Not bad input: a caller answers 503 with `retry_after`, a poller waits and retries;
    nothing is quarantined or blanked for it."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class NotFound(VentanillaError):
    """A radicado or message id that does not exist."""


class InvalidInput(VentanillaError):
    """Several fields are wrong at once (a form): every problem is reported together."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))

    def by_field(self) -> dict[str, str]:
        """One message per field; several problems with one field are joined, not lost."""
        joined: dict[str, str] = {}
        for error in self.errors:
            joined[error.field] = (
                f"{joined[error.field]} {error.message}" if error.field in joined else error.message
            )
        return joined
