"""Each message's CPU budget in a pipeline batch: one message can never hold its batch past
the actor's time limit.

The pipeline charges each message the thread CPU time of the routing decisions made for it
(`run` for one message's work, `share` for work done for a whole batch at once, split in
proportion to each text's length). A message that has spent more than
`worker.message_cpu_seconds` is marked over budget, with the stage that crossed the line;
the pipeline skips its remaining work and quarantines it with that reason, and the rest of
the batch carries on.

A worker runs actors in threads, where no signal can interrupt a regular expression; so the
budget is checked between steps, never inside one. That suffices because every step over
citizen text is linear (tests/unit/test_hostile_text.py): no single step is catastrophic, and
the budget stops a message from adding many of them up. It decides nothing else and does no
I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

Result = TypeVar("Result")

SETTING = "worker.message_cpu_seconds"


class CpuBudget:
    """The CPU seconds each message of one batch has spent, against one limit."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent: dict[int, float] = {}
        # message id -> why it was stopped (the stage that crossed the limit)
        self.overrun: dict[int, str] = {}

    def run(self, message_id: int, stage: str, decide: Callable[[], Result]) -> Result | None:
        """`decide()` charged to the message; None when the message is (now) over budget."""
        if message_id in self.overrun:
            return None
        started = time.thread_time()
        try:
            result = decide()
        finally:
            self._charge(message_id, stage, time.thread_time() - started)
        return None if message_id in self.overrun else result

    @contextmanager
    def share(self, lengths: Mapping[int, int], stage: str) -> Iterator[None]:
        """Charge the block's CPU time to the messages it worked for, in proportion to the
        length of each one's text (every step is linear in it)."""
        started = time.thread_time()
        try:
            yield
        finally:
            spent = time.thread_time() - started
            total = sum(lengths.values()) or 1
            for message_id, length in lengths.items():
                self._charge(message_id, stage, spent * length / total)

    def _charge(self, message_id: int, stage: str, seconds: float) -> None:
        self.spent[message_id] = self.spent.get(message_id, 0.0) + seconds
        if self.spent[message_id] > self.seconds and message_id not in self.overrun:
            self.overrun[message_id] = (
                f"{stage}: exceeded the CPU budget of {self.seconds:g} s per message ({SETTING})"
            )
