"""What the bot answers to a command: the decision alone, without store or server."""

from __future__ import annotations

import pytest

from ventanilla.routing.commands import CommandAnswer, answer_command, wanted_radicado

ANA = "tg:4242"
OWNERS = {"20261000000012": ANA, "20261000000022": "tg:777"}


@pytest.mark.parametrize(
    ("command", "args", "sender", "answer"),
    [
        ("/start", "", ANA, CommandAnswer("start")),
        ("/help", "", ANA, CommandAnswer("start")),
        ("/ayuda", "", ANA, CommandAnswer("start")),
        ("/estado", "20261000000012", ANA, CommandAnswer("status", "20261000000012")),
        ("/estado", "2026 100 000001 2", ANA, CommandAnswer("status", "20261000000012")),
        ("/estado", "20261000000012 por favor", ANA, CommandAnswer("status", "20261000000012")),
        # Someone else's case and a number that does not exist get the same answer.
        ("/estado", "20261000000022", ANA, CommandAnswer("not_found")),
        ("/estado", "20269999999992", ANA, CommandAnswer("not_found")),
        ("/estado", "20261000000012", "", CommandAnswer("not_found")),
        ("/estado", "", ANA, CommandAnswer("status_usage")),
        ("/estado", "¿cuál es?", ANA, CommandAnswer("status_usage")),
        ("/radicar", "", ANA, CommandAnswer("help")),
        ("/", "", ANA, CommandAnswer("help")),
    ],
)
def test_each_command_gets_its_answer(
    command: str, args: str, sender: str, answer: CommandAnswer
) -> None:
    assert answer_command(command, args, sender, OWNERS) == answer


@pytest.mark.parametrize(
    ("command", "args", "radicado"),
    [
        ("/estado", " 20261000000012 ", "20261000000012"),
        ("/estado", "2026-ab-1", "2026-AB-1"),
        ("/start", "20261000000012", ""),
        ("/estado", "x" * 41, ""),
    ],
)
def test_the_radicado_asked_about_is_read_as_the_store_writes_it(
    command: str, args: str, radicado: str
) -> None:
    assert wanted_radicado(command, args) == radicado
