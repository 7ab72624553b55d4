"""Prometheus metrics: counters of this process plus the store's state at scrape time.

Reading the store at scrape time makes the figures true across processes (workers, poller)
without a shared metrics directory.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from ventanilla.app import App
from ventanilla.store.filings import backlog as filing_backlog
from ventanilla.store.review import waiting_count
from ventanilla.store.schema import Case, Checkpoint, Message, Outbox, utcnow

disable_created_metrics()  # _created series only add noise to our dashboards
registry = CollectorRegistry()
intake_total = Counter(
    "ventanilla_intake_total", "Messages accepted by the web app", ["channel"], registry=registry
)
intake_rejected_total = Counter(
    "ventanilla_intake_rejected_total",
    "Submissions refused for bad input",
    ["field"],
    registry=registry,
)
intake_wait_seconds = Histogram(
    "ventanilla_intake_wait_seconds",
    "Time from submission to radicado in the API",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
    registry=registry,
)


class StoreCollector(Collector):
    def __init__(self, app: App) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        messages = GaugeMetricFamily(
            "ventanilla_messages", "Messages by status and stage", labels=["status", "stage"]
        )
        outbox = GaugeMetricFamily(
            "ventanilla_acknowledgements", "Acknowledgements by status", labels=["status"]
        )
        cases = GaugeMetricFamily("ventanilla_cases", "Cases by status", labels=["status"])
        backlog = GaugeMetricFamily(
            "ventanilla_intake_backlog",
            "Messages waiting at the source when the channel's cursor was last saved",
            labels=["channel"],
        )
        checkpoint_age = GaugeMetricFamily(
            "ventanilla_intake_checkpoint_age_seconds",
            "Seconds since the channel last stored a batch",
            labels=["channel"],
        )
        with self.app.db.read() as session:
            for status, stage, count in session.execute(
                select(Message.status, Message.stage, func.count()).group_by(
                    Message.status, Message.stage
                )
            ):
                messages.add_metric([status, stage], count)
            for status, count in session.execute(
                select(Outbox.status, func.count()).group_by(Outbox.status)
            ):
                outbox.add_metric([status], count)
            for status, count in session.execute(
                select(Case.status, func.count()).group_by(Case.status)
            ):
                cases.add_metric([status], count)
            now = utcnow()
            for channel, waiting, updated_at in session.execute(
                select(Checkpoint.channel, Checkpoint.backlog, Checkpoint.updated_at)
            ):
                backlog.add_metric([channel], waiting)
                checkpoint_age.add_metric([channel], (now - updated_at).total_seconds())
            waiting = waiting_count(session)
            filing_waiting, filing_oldest = filing_backlog(session)
        review = GaugeMetricFamily(
            "ventanilla_review_waiting",
            "Messages waiting for a person to say whether they are requests (/revision)",
            value=waiting,
        )
        filings = GaugeMetricFamily(
            "ventanilla_filings_waiting",
            "Cases waiting for their number from the document system (Orfeo)",
            value=filing_waiting,
        )
        filing_age = GaugeMetricFamily(
            "ventanilla_filing_oldest_seconds",
            "Age of the oldest case still waiting for its number from the document system",
            value=(now - filing_oldest).total_seconds() if filing_oldest else 0.0,
        )
        yield from (messages, outbox, cases, backlog, checkpoint_age, review, filings, filing_age)


_store_collector: StoreCollector | None = None


def install_store_collector(app: App) -> None:
    """Point the store gauges at `app` (registered once per process)."""
    global _store_collector
    if _store_collector is None:
        _store_collector = StoreCollector(app)
        registry.register(_store_collector)
    _store_collector.app = app


def render() -> bytes:
    return generate_latest(registry)
