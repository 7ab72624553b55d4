"""The report as JSON: the contract for scripts (keys documented in the README; they do
not change, new ones may be added). Slugs, ISO dates and numbers, no labels."""

from __future__ import annotations

import json
from typing import Any

from ventanilla.reports.figures import QuarterReport, RequestRow

FORMAT_VERSION = 1


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def request_object(report: QuarterReport, row: RequestRow) -> dict[str, Any]:
    return {
        "radicado": row.radicado,
        "type": row.type,
        "channel": row.channel,
        "office": row.office,
        "received_at": row.received_at.astimezone(report.zone).isoformat(timespec="seconds"),
        "due_date": row.due_date.isoformat(),
        "outcome": row.outcome,
        "answered_on": _iso(row.answered_on),
        "business_days": row.business_days,
        "within_term": row.within_term,
        "forwarded_to": row.forwarded_to or None,
        "forwarded_on": _iso(row.forwarded_on),
        "access_denied": row.access_denied,
        "priority": row.priority,
        "group_id": row.group_id,
    }


def as_dict(report: QuarterReport) -> dict[str, Any]:
    r = report
    zone = r.zone
    return {
        "format_version": FORMAT_VERSION,
        "entity": r.entity,
        "quarter": str(r.quarter),
        "period": {
            "first_day": r.quarter.first_day.isoformat(),
            "last_day": r.quarter.last_day.isoformat(),
            "timezone": r.timezone,
        },
        "generated_at": r.generated_at.astimezone(zone).isoformat(timespec="seconds"),
        "as_of": r.as_of.isoformat(),
        "received": {
            "total": r.received,
            "by_type": r.by_type,
            "by_channel": r.by_channel,
            "by_office": r.by_office,
            "by_month": r.by_month,
        },
        "forwarded": {
            "total": r.forwarded,
            "within_term": r.forwarded_within_term,
            "by_entity": r.forwarded_by_entity,
        },
        "answered": {
            "total": r.answered,
            "within_term": r.answered_within_term,
            "late": r.answered_late,
        },
        "open": {"total": r.open, "within_term": r.open_within_term, "overdue": r.open_overdue},
        "response_time": {
            "answered": r.answered,
            "average_business_days": r.response_days_average,
            "median_business_days": r.response_days_median,
            "distribution": r.response_days_distribution,
        },
        "access_denied": {
            "total": r.access_denied,
            "informacion": r.access_denied_informacion,
            "informacion_requests": r.informacion_requests,
        },
        "analogous_petitions": {"groups": r.analogous_groups, "cases": r.analogous_cases},
        "priority": {"total": r.priority, "by_flag": r.priority_by_flag},
        "annulled": {
            "total": len(r.annulled),
            "cases": [
                {
                    "radicado": a.radicado,
                    "type": a.type,
                    "channel": a.channel,
                    "received_at": a.received_at.astimezone(zone).isoformat(timespec="seconds"),
                    "reason": a.reason,
                }
                for a in r.annulled
            ],
        },
        "requests": [request_object(r, row) for row in r.requests],
    }


def render(report: QuarterReport) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2) + "\n"
