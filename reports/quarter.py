"""A calendar quarter as the report names it (`2026-Q1`) and the instants that bound it.

Pure: no I/O. A quarter is the cases received from its first day at 00:00 to its last
day at 24:00 in the office's time zone (America/Bogota), not in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EXPECTED_FORM = "YYYY-QN, for example 2026-Q1 (N is 1 to 4)"
_QUARTER_RE = re.compile(r"^\s*(\d{4})-[Qq]([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER_RE.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a quarter; expected {EXPECTED_FORM}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def months(self) -> tuple[int, int, int]:
        first = 3 * (self.number - 1) + 1
        return (first, first + 1, first + 2)

    @property
    def first_day(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of the first day to local midnight after the
        last day."""
        start = datetime.combine(self.first_day, time(0), zone)
        end = datetime.combine(self.next().first_day, time(0), zone)
        return start.astimezone(UTC), end.astimezone(UTC)
