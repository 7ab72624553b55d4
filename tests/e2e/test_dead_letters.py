"""A message the pipeline cannot process ends quarantined with its reason, never lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, insert

from ventanilla.store.schema import Message

pytestmark = pytest.mark.e2e


def test_message_failing_every_retry_is_quarantined_with_the_reason(deployment_factory, store_url):
    deployment = deployment_factory(store_url, worker__max_retries="1")
    deployment.cli("db", "upgrade")
    engine = create_engine(store_url)
    with engine.begin() as connection:
        # A message left at the radicate stage without a type (as an older version or a
        # hand edit could leave it): radicating it fails every time.
        connection.execute(
            insert(Message.__table__).values(
                channel="web",
                provider_id="legacy-1",
                received_at=datetime.now(UTC),
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
                sender="",
                sender_name="",
                subject="",
                text="Solicitud antigua",
                reply_email="",
                reply_phone="",
                requested_type="",
                references=[],
                flags={},
                raw=b"",
                stage="radicate",
                status="pending",
                reason="",
                features=[],
                type=None,
            )
        )
    engine.dispose()

    deployment.cli("drain", "--timeout", "90")

    [message] = deployment.cli_json("messages", "list", "--status", "quarantined")
    assert message["reason"].startswith("radicate failed: AssertionError")
    assert message["radicado"] is None
    assert deployment.cli_json("cases", "list") == []
