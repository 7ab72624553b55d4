"""Exact duplicate detection: same sender, same normalised text, within a window (no I/O)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from ventanilla.routing.text import fold

DUPLICATE_WINDOW = timedelta(days=30)


def dedupe_key(sender: str, text: str) -> str | None:
    """The key two identical requests share; None when the sender is unknown (anonymous)."""
    who = sender.strip().lower()
    body = fold(text)
    if not who or not body:
        return None
    return hashlib.sha256(f"{who}\n{body}".encode()).hexdigest()


def window_start(now: datetime) -> datetime:
    return now - DUPLICATE_WINDOW
