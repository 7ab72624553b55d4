"""Legal response terms of PQRSDF requests, counted in Colombian business days.

Given when a request was received, the office hours and the request type, this module says
which day the request counts as received (radicated) and the last day to answer it.
Pure arithmetic: no I/O and no settings import. The holiday list comes from the `holidays`
package, computed in memory and cached per year.

The law behind it:

* Ley 1437 de 2011 (CPACA) art. 14, as replaced by Ley 1755 de 2015: a petition is answered
  within 15 days following its receipt; requests for documents or information within 10;
  consultations within 30. Quejas, reclamos, sugerencias, denuncias and felicitaciones are
  petitions too, so they take the general 15-day term.
* Ley 1755 de 2015 art. 21: an authority that is not competent forwards the petition to the
  competent one within 5 days following its receipt.
* Ley 4 de 1913 art. 62: terms given in days by laws and official acts skip non-working days,
  so all those "days" are business days.
* Ley 51 de 1983 ("Ley Emiliani"): most religious and civic holidays are moved to the next
  Monday; Jueves and Viernes Santo stay on their day, and Ascensión, Corpus Christi and
  Sagrado Corazón follow Easter and are then moved to Monday.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from .types import REQUEST_TYPES

DEFAULT_OFFICE_HOURS: Final = "mon-fri 08:00-16:00"

_DAY_NAMES: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NUMBERS: Final[dict[str, int]] = {name: number for number, name in enumerate(_DAY_NAMES)}

_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
_DAY_ITEM = rf"{_DAY}(?:-{_DAY})?"
_TIME = r"\d{1,2}:\d{2}"
_HOURS_RE: Final = re.compile(
    rf"^\s*(?P<days>{_DAY_ITEM}(?:\s*,\s*{_DAY_ITEM})*)\s+"
    rf"(?P<opens>{_TIME})\s*-\s*(?P<closes>{_TIME})\s*$",
    re.IGNORECASE,
)


def _expected(text: str) -> ValueError:
    return ValueError(f"expected days and hours like {DEFAULT_OFFICE_HOURS!r}, got {text!r}")


def _parse_time(value: str, text: str) -> datetime.time:
    hour, minute = (int(part) for part in value.split(":"))
    if hour > 23 or minute > 59:
        raise ValueError(
            f"{value!r} is not a time of day (HH:MM, 00:00 to 23:59) in {text!r}; "
            f"expected days and hours like {DEFAULT_OFFICE_HOURS!r}"
        )
    return datetime.time(hour, minute)


@dataclass(frozen=True)
class OfficeHours:
    """The days and hours the office radicates what it receives."""

    days: frozenset[int]  # weekday numbers, 0=Monday
    opens: datetime.time
    closes: datetime.time  # exclusive: a receipt at exactly `closes` is outside hours

    def __post_init__(self) -> None:
        # Checked here too, not only in parse: an empty week would make the day counting loop
        # forever, and hours that close before they open would make every receipt late.
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError(f"office days must be weekday numbers 0..6, got {sorted(self.days)}")
        if self.opens >= self.closes:
            raise ValueError(
                f"the office must open before it closes, got {self.opens:%H:%M}-{self.closes:%H:%M}"
            )

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Read hours written like "mon-fri 08:00-16:00" or "mon,wed,fri 08:00-12:00"."""
        match = _HOURS_RE.match(text)
        if match is None:
            raise _expected(text)
        days: set[int] = set()
        for item in match["days"].split(","):
            first, _, last = item.strip().lower().partition("-")
            start = _DAY_NUMBERS[first]
            end = _DAY_NUMBERS[last] if last else start
            if end < start:
                # A range never wraps past Sunday: "sat-mon" is more likely a typo than a
                # three-day week, so it is refused rather than guessed.
                raise ValueError(
                    f"day range {item.strip()!r} runs backwards in {text!r}; "
                    f"expected days and hours like {DEFAULT_OFFICE_HOURS!r}"
                )
            days.update(range(start, end + 1))
        opens = _parse_time(match["opens"], text)
        closes = _parse_time(match["closes"], text)
        if opens >= closes:
            raise ValueError(
                f"opening {match['opens']} is not before closing {match['closes']} in {text!r}; "
                f"expected days and hours like {DEFAULT_OFFICE_HOURS!r}"
            )
        return cls(days=frozenset(days), opens=opens, closes=closes)

    def __str__(self) -> str:
        # Runs of consecutive days are written as ranges so the default reads back unchanged.
        runs: list[list[int]] = []
        for day in sorted(self.days):
            if runs and runs[-1][-1] == day - 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        days = ",".join(
            _DAY_NAMES[run[0]] if len(run) == 1 else f"{_DAY_NAMES[run[0]]}-{_DAY_NAMES[run[-1]]}"
            for run in runs
        )
        return f"{days} {self.opens:%H:%M}-{self.closes:%H:%M}"


# Ley 1755 de 2015 art. 14 (replacing Ley 1437 de 2011 art. 14), in business days.
TERM_DAYS: Final[dict[str, int]] = {
    "peticion": 15,  # general rule
    "informacion": 10,  # documents and information
    "consulta": 30,  # consultations to the authority on matters in its charge
    "queja": 15,
    "reclamo": 15,
    "sugerencia": 15,
    "denuncia": 15,
    "felicitacion": 15,
}

# Ley 1755 de 2015 art. 21: a non-competent authority forwards within 5 business days.
FORWARDING_DAYS: Final = 5


def term_days(request_type: str) -> int:
    """The legal term of a request type, in business days."""
    try:
        return TERM_DAYS[request_type]
    except KeyError:
        raise ValueError(
            f"{request_type!r} is not a request type with a legal term; "
            f"valid types: {', '.join(REQUEST_TYPES)}"
        ) from None


@functools.cache
def _co_holidays(year: int) -> frozenset[datetime.date]:
    # Building a `holidays` calendar costs far more than a set lookup, and due dates are
    # computed on every radication: one frozenset per year, built once per process.
    return frozenset(holidays.country_holidays("CO", years=year))


def prepare_holidays(today: datetime.date | None = None) -> None:
    """Build this year's and next year's holidays now: the first call imports `holidays`'s
    module of every country (half a second), so a process that forks workers does it once
    for all of them. Due dates in December reach into the next year."""
    year = (today or datetime.date.today()).year
    for each in (year, year + 1):
        _co_holidays(each)


class BusinessCalendar:
    """Business days of one office: its weekdays minus Colombian national holidays."""

    def __init__(self, hours: OfficeHours, timezone: str = "America/Bogota") -> None:
        self.hours = hours
        self.timezone = ZoneInfo(timezone)

    def is_business_day(self, day: datetime.date) -> bool:
        # Holidays are national (Ley 51 de 1983); office days are the entity's own choice.
        return day.weekday() in self.hours.days and day not in _co_holidays(day.year)

    def effective_receipt_day(self, received: datetime.datetime) -> datetime.date:
        """The day a receipt counts as radicated, in the office's timezone."""
        # Office hours are local: a message sent at 21:30 Bogotá time arrives as 02:30 UTC the
        # next day and must still count as after hours of the previous local day.
        local = received if received.tzinfo is None else received.astimezone(self.timezone)
        day = local.date()
        # Before opening the office day has not started: it counts as received at opening, the
        # same day. At or after closing, or on a day off, it waits for the next business day.
        if self.is_business_day(day) and local.time() < self.hours.closes:
            return day
        return self.add_business_days(day, 1)

    def add_business_days(self, day: datetime.date, n: int) -> datetime.date:
        """The n-th business day after `day` (`day` itself when n is 0)."""
        if n < 0:
            raise ValueError(f"n must be 0 or more business days, got {n}")
        one_day = datetime.timedelta(days=1)
        while n > 0:
            day += one_day
            if self.is_business_day(day):
                n -= 1
        return day

    def business_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Business days after `start` up to and including `end`: how long an answer took.

        The inverse of `add_business_days`: `between(d, add_business_days(d, n)) == n`, so
        an answer on the day of receipt took 0 days and one on the due date took the term.
        An `end` on or before `start` (answered before the receipt day counted) gives 0.
        """
        one_day = datetime.timedelta(days=1)
        count = 0
        day = start + one_day
        while day <= end:
            count += self.is_business_day(day)
            day += one_day
        return count

    def due_date(self, received: datetime.datetime, request_type: str) -> datetime.date:
        """The last day to answer: the term counts from the day after radication (art. 14)."""
        term = term_days(request_type)
        return self.add_business_days(self.effective_receipt_day(received), term)

    def forwarding_date(self, received: datetime.datetime) -> datetime.date:
        """The last day to forward a request this office is not competent for (art. 21)."""
        return self.add_business_days(self.effective_receipt_day(received), FORWARDING_DAYS)


# How a case's legal date stands today, for staff lists: past it, on it, or neither.
OVERDUE: Final = "vencido"
DUE_TODAY: Final = "vence_hoy"


def deadline_state(due: datetime.date, today: datetime.date, *, open_case: bool = True) -> str:
    """`vencido`, `vence_hoy`, or "" (not yet due, or the case is no longer open)."""
    if not open_case:
        return ""
    if due < today:
        return OVERDUE
    return DUE_TODAY if due == today else ""
