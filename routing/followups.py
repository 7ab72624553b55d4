"""Follow-up detection: is this message about a case we already filed? (no I/O)

The rule (README, "Follow-ups"): a message is a follow-up of a case when
1. it answers one of our acknowledgements (its In-Reply-To/References carry the Message-ID
   we gave the acknowledgement, which names the radicado), whoever sends it; or
2. its subject or text quotes the radicado of a live case opened by the same sender.
A radicado quoted by someone else opens a new case: a third person writing about another
citizen's request is a new request of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# The Message-ID of our acknowledgements: <radicado.{radicado}.{random}@{our domain}>.
_OUR_MESSAGE_ID = re.compile(r"<radicado\.([0-9A-Za-z-]{4,40})\.[0-9a-f]+@")
# Any radicado of the built-in formats starts with its year; the store confirms it exists.
_QUOTED = re.compile(r"\b(20\d\d[0-9A-Z-]{6,30})\b")
# A message quoting more radicados than this is not following one of them up.
MAX_QUOTED = 5


def thread_radicados(references: Iterable[str]) -> list[str]:
    """Radicados named by our own Message-IDs among a message's thread references."""
    return list(
        dict.fromkeys(m.group(1) for ref in references if (m := _OUR_MESSAGE_ID.match(ref)))
    )


def quoted_radicados(subject: str, text: str) -> list[str]:
    # Only the first lines of the text: a long quoted history below is not a reference.
    head = "\n".join(text.splitlines()[:40])
    return list(dict.fromkeys(_QUOTED.findall(f"{subject}\n{head}")))[:MAX_QUOTED]


def follow_up_of(
    thread: list[str], quoted: list[str], sender: str, case_senders: Mapping[str, str]
) -> tuple[str, str] | None:
    """(radicado, why) of the case this message follows up, or None for a new request.

    `case_senders` maps each existing live radicado among the candidates to the sender of
    the message that opened it.
    """
    for radicado in thread:
        if radicado in case_senders:
            return radicado, "reply to our acknowledgement"
    who = sender.strip().lower()
    for radicado in quoted:
        if who and case_senders.get(radicado, "").strip().lower() == who:
            return radicado, "quotes its radicado"
    return None
