"""What the Telegram bot answers to a command (no I/O): which text, about which case.

`/start` and `/help` explain the channel. `/estado RADICADO` gives a case's status only to
the chat that opened it; anyone else gets the same answer as for a number that does not
exist, so a radicado reveals nothing about someone else's request (Ley 1581 de 2012). Any
other command gets a short help.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

GREETINGS = ("/start", "/help", "/ayuda")
STATUS = ("/estado",)
_RADICADO = re.compile(r"[0-9A-Za-z-]{1,40}")


@dataclass(frozen=True)
class CommandAnswer:
    # Which text: start, status, not_found, status_usage or help (templates/ack/telegram_*).
    template: str
    # The case the status text describes (status only).
    radicado: str = ""


def wanted_radicado(command: str, args: str) -> str:
    """The radicado a `/estado` asks about ("" if none), as the store writes it: a number
    typed in groups of digits ("2026 100 000001 2") is read as one."""
    if command not in STATUS:
        return ""
    text = args.strip()
    if re.fullmatch(r"[0-9][0-9\s]*", text):
        text = re.sub(r"\s+", "", text)
    first = text.split(maxsplit=1)[0] if text else ""
    return first.upper() if _RADICADO.fullmatch(first) else ""


def answer_command(
    command: str, args: str, sender: str, owners: Mapping[str, str]
) -> CommandAnswer:
    """The answer to `command` from `sender`; `owners` maps each radicado that exists to
    the sender of the message that opened it."""
    if command in GREETINGS:
        return CommandAnswer("start")
    if command in STATUS:
        radicado = wanted_radicado(command, args)
        if not radicado:
            return CommandAnswer("status_usage")
        if not sender or owners.get(radicado) != sender:
            return CommandAnswer("not_found")
        return CommandAnswer("status", radicado)
    return CommandAnswer("help")
