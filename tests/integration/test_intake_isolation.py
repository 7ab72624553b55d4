"""Intake isolates what the store refuses and waits out what is only unavailable: one
message the store cannot hold is quarantined alone while the rest of its batch is stored,
and a store that cannot be reached is StoreUnavailable (nothing quarantined or blanked)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from ventanilla.message import InboundMessage

pytestmark = pytest.mark.integration


def message(n: int, text: str) -> InboundMessage:
    return InboundMessage(
        channel="email",
        provider_id=f"<iso-{n}@example.com>",
        received_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        text=text,
        sender=f"p{n}@example.com",
        subject=f"Solicitud {n}",
    )


def test_a_message_the_store_cannot_hold_is_quarantined_alone(app_with: Any) -> None:
    from ventanilla.store.cases import list_messages
    from ventanilla.workers.intake import accept_batch
    from ventanilla.workers.pipeline import advance_batch

    app = app_with()
    batch = [message(n, f"Solicito copia de mi certificado número {n}.") for n in range(5)]
    # A lone surrogate: what an adapter bug could let through; no store can encode it.
    batch.insert(2, message(99, "Solicito ayuda \ud800 con mi registro"))
    accepted = accept_batch(batch, start_now=False)
    assert len({a.message_id for a in accepted}) == 6
    advance_batch([a.message_id for a in accepted])
    with app.db.read() as session:
        rows = {row["id"]: row for row in list_messages(session)}
    statuses = [rows[a.message_id]["status"] for a in accepted]
    assert statuses == ["case", "case", "quarantined", "case", "case", "case"]
    assert "kept raw" in rows[accepted[2].message_id]["reason"]


def test_an_unreachable_store_is_unavailable_not_bad_input(app_with: Any) -> None:
    from ventanilla.errors import StoreUnavailable
    from ventanilla.workers.intake import accept_batch

    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app_with(store__url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/nothing")
    with pytest.raises(StoreUnavailable):
        accept_batch([message(1, "Solicito copia de mi certificado.")], start_now=False)


def test_attachment_files_no_row_names_are_swept_and_named_ones_kept(app_with: Any) -> None:
    from ventanilla.message import Attachment
    from ventanilla.store.intake import blob_path, store_blob, sweep_orphan_blobs
    from ventanilla.workers.intake import accept_batch

    app = app_with()
    kept = Attachment("carta.pdf", "application/pdf", b"%PDF-1.4 carta")
    with_file = dataclasses.replace(message(1, "Solicito revisar mi carta."), attachments=(kept,))
    accept_batch([with_file], start_now=False)
    orphan = b"left by a batch the store refused"
    digest = hashlib.sha256(orphan).hexdigest()
    store_blob(app.attachments_dir, orphan, digest)
    hour_ago = os.path.getmtime(blob_path(app.attachments_dir, digest)) - 7200
    for sha in (digest, kept.sha256):
        os.utime(blob_path(app.attachments_dir, sha), (hour_ago, hour_ago))
    with app.db.read() as session:
        assert sweep_orphan_blobs(session, app.attachments_dir, 3600) == 1
    assert not blob_path(app.attachments_dir, digest).exists()
    assert blob_path(app.attachments_dir, kept.sha256).exists()
