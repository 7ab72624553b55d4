"""The web intake's batcher: a lone submission is stored at once, a burst together.

The store itself is replaced here: what is under test is how submissions are grouped
(the integration and e2e tests store them for real).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from ventanilla.message import InboundMessage
from ventanilla.store.intake import Accepted
from ventanilla.web import batcher as batching


def _message(n: int) -> InboundMessage:
    return InboundMessage("web", f"token-{n}", datetime.now(UTC), f"Solicito información {n}")


def test_a_lone_submission_is_stored_alone_and_a_burst_after_it_as_one_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored: list[list[str]] = []

    def store(batch: list[batching._Waiting]) -> list[Accepted]:
        stored.append([item.message.provider_id for item in batch])
        return [Accepted(n, created=True) for n, _ in enumerate(batch)]

    monkeypatch.setattr(batching, "_store", store)

    async def submissions() -> None:
        # A gather window far longer than the gaps between the burst's arrivals, so a busy
        # machine cannot split the burst.
        intake = batching.IntakeBatcher(gather_seconds=1.0)
        await intake.start()
        await intake.accept(_message(0))  # nothing stored lately: at once, alone

        async def later(n: int) -> Accepted:
            await asyncio.sleep(0.02 * n)
            return await intake.accept(_message(n))

        await asyncio.gather(*(later(n) for n in range(1, 5)))
        await intake.stop()

    asyncio.run(submissions())

    assert stored == [["token-0"], ["token-1", "token-2", "token-3", "token-4"]]
