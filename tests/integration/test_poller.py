"""The poller's promise (DESIGN rule 1): persist first, then commit at the source.

A channel adapter written here, in the shape every adapter has, feeds the real poller,
store and Redis; a crash between the store and the source must import nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from ventanilla.adapters.base import Acknowledgement, Batch
from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration


class ScriptedChannel:
    """A provider that hands out numbered messages after a cursor, like Telegram's offset."""

    channel = "telegram"

    def __init__(self, count: int, fail_commit_at: int | None = None) -> None:
        self.count = count
        self.fail_commit_at = fail_commit_at
        self.committed = 0

    def fetch(self, cursor: str) -> Iterable[Batch]:
        start = int(cursor or 0)
        for n in range(start + 1, self.count + 1):
            message = InboundMessage(
                channel="telegram",
                provider_id=f"update-{n}",
                received_at=datetime.now(UTC),
                text=f"Solicito ayuda {n}",
                sender=f"chat-{n}",
            )
            yield Batch([message], str(n), remaining=self.count - n)

    def commit(self, cursor: str) -> None:
        if self.fail_commit_at is not None and int(cursor) == self.fail_commit_at:
            raise ConnectionError("provider went away before the offset was confirmed")
        self.committed = int(cursor)

    def wait(self, seconds: float) -> None:
        pass

    def send(self, ack: Acknowledgement) -> str:
        return "sent"


@pytest.fixture
def app(app_with) -> Any:
    return app_with()


def stored(app) -> tuple[int, str]:
    from ventanilla.store.intake import load_checkpoint
    from ventanilla.store.schema import Message

    with app.db.read() as session:
        count = session.scalar(select(func.count()).select_from(Message))
        return count, load_checkpoint(session, "telegram")


def test_messages_and_checkpoint_are_stored_before_the_source_is_told(app):
    from ventanilla.workers.poller import poll_channel

    channel = ScriptedChannel(5)
    assert poll_channel(channel) == 5
    assert stored(app) == (5, "5")
    assert channel.committed == 5


def test_crash_before_commit_at_the_source_imports_nothing_twice(app):
    from ventanilla.workers.poller import poll_channel

    crashing = ScriptedChannel(6, fail_commit_at=3)
    with pytest.raises(ConnectionError):
        poll_channel(crashing)
    # Message 3 is stored with its checkpoint even though the provider never heard back.
    assert stored(app) == (3, "3")
    restarted = ScriptedChannel(6)
    assert poll_channel(restarted) == 3
    assert stored(app) == (6, "6")


def test_provider_redelivering_from_an_old_cursor_imports_nothing_twice(app):
    from ventanilla.store.intake import save_checkpoint
    from ventanilla.workers.poller import poll_channel

    poll_channel(ScriptedChannel(4))
    with app.db.transaction() as session:
        save_checkpoint(session, "telegram", "1")  # e.g. a restored backup of the cursor
    poll_channel(ScriptedChannel(4))
    assert stored(app) == (4, "4")


class DownChannel(ScriptedChannel):
    """A provider that is down for its first `failures` rounds, then comes back."""

    channel = "x"

    def __init__(self, count: int, failures: int) -> None:
        super().__init__(count)
        self.failures = failures
        self.attempts: list[float] = []

    def fetch(self, cursor: str) -> Iterable[Batch]:
        import time

        from ventanilla.errors import ChannelError

        self.attempts.append(time.monotonic())
        if len(self.attempts) <= self.failures:
            raise ChannelError(self.channel, "connection refused", retryable=True)
        yield from super().fetch(cursor)


def test_a_channel_that_is_down_backs_off_and_never_holds_up_another(app):
    import threading

    from ventanilla.workers.poller import run_channel

    down, healthy = DownChannel(3, failures=2), ScriptedChannel(4)
    stop = threading.Event()
    threads = [
        threading.Thread(target=run_channel, args=(adapter, 0.05, stop), daemon=True)
        for adapter in (down, healthy)
    ]
    for thread in threads:
        thread.start()
    try:
        from tests.conftest import wait_until

        wait_until(lambda: healthy.committed == 4, 10, "the healthy channel")
        assert down.committed == 0  # the other one is still waiting out its backoff
        wait_until(lambda: down.committed == 3, 20, "the channel that came back")
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    first, second, third = down.attempts[:3]
    assert second - first >= 0.9 and third - second >= 1.9  # 1 s, then 2 s
