"""Legal response terms: holidays, office hours, timezones and term lengths.

Every expected date below was worked out from the explicit holiday list in this file, not by
running `ventanilla.routing.terms`: the list is checked against the official rules by hand
(see the comments) and against the `holidays` package by a test.
"""

from __future__ import annotations

import datetime

import holidays
import pytest

from ventanilla.routing.terms import (
    DEFAULT_OFFICE_HOURS,
    FORWARDING_DAYS,
    TERM_DAYS,
    BusinessCalendar,
    OfficeHours,
    deadline_state,
    term_days,
)
from ventanilla.routing.types import NON_REQUEST_CLASSES, REQUEST_TYPES

D = datetime.date.fromisoformat

# Colombian national holidays, as dates of rest. Rules:
# - fixed (Ley 51 de 1983 keeps them on their day): Jan 1, May 1, Jul 20, Aug 7, Dec 8, Dec 25;
# - moved to the next Monday unless already Monday (Ley 51 de 1983, "Ley Emiliani"):
#   Jan 6, Mar 19, Jun 29, Aug 15, Oct 12, Nov 1, Nov 11, and from 2026 Jul 9
#   (Nuestra Señora del Rosario de Chiquinquirá, Ley 2578 de 2026);
# - Easter-based: Jueves and Viernes Santo on their day; Ascensión (Easter+39, a Thursday),
#   Corpus Christi (Easter+60) and Sagrado Corazón (Easter+68) moved to the next Monday,
#   i.e. Easter+43, +64 and +71.
# Easter Sunday: 2025-04-20, 2026-04-05, 2027-03-28.
CO_HOLIDAYS: dict[int, list[str]] = {
    # 17 dates for 18 holidays: San Pedro y San Pablo (Sun Jun 29 -> Jun 30) and Sagrado
    # Corazón (Easter+71 = Jun 30) fall on the same Monday.
    2025: [
        "2025-01-01",  # Año Nuevo (Wed)
        "2025-01-06",  # Reyes Magos (already Monday)
        "2025-03-24",  # San José (Wed Mar 19 -> Mon)
        "2025-04-17",  # Jueves Santo
        "2025-04-18",  # Viernes Santo
        "2025-05-01",  # Día del Trabajo (Thu)
        "2025-06-02",  # Ascensión (Easter+43)
        "2025-06-23",  # Corpus Christi (Easter+64)
        "2025-06-30",  # Sagrado Corazón (Easter+71) and San Pedro y San Pablo (Sun Jun 29)
        "2025-07-20",  # Independencia (Sunday: not moved, no business day lost)
        "2025-08-07",  # Batalla de Boyacá (Thu)
        "2025-08-18",  # Asunción (Fri Aug 15 -> Mon)
        "2025-10-13",  # Día de la Raza / Diversidad (Sun Oct 12 -> Mon)
        "2025-11-03",  # Todos los Santos (Sat Nov 1 -> Mon)
        "2025-11-17",  # Independencia de Cartagena (Tue Nov 11 -> Mon)
        "2025-12-08",  # Inmaculada Concepción (Mon)
        "2025-12-25",  # Navidad (Thu)
    ],
    # 19: the 18 of Ley 51 de 1983 plus Chiquinquirá (Ley 2578 de 2026).
    2026: [
        "2026-01-01",  # Año Nuevo (Thu)
        "2026-01-12",  # Reyes Magos (Tue Jan 6 -> Mon)
        "2026-03-23",  # San José (Thu Mar 19 -> Mon)
        "2026-04-02",  # Jueves Santo
        "2026-04-03",  # Viernes Santo
        "2026-05-01",  # Día del Trabajo (Fri)
        "2026-05-18",  # Ascensión (Easter+43)
        "2026-06-08",  # Corpus Christi (Easter+64)
        "2026-06-15",  # Sagrado Corazón (Easter+71)
        "2026-06-29",  # San Pedro y San Pablo (already Monday)
        "2026-07-13",  # Chiquinquirá (Thu Jul 9 -> Mon)
        "2026-07-20",  # Independencia (Mon)
        "2026-08-07",  # Batalla de Boyacá (Fri)
        "2026-08-17",  # Asunción (Sat Aug 15 -> Mon)
        "2026-10-12",  # Día de la Raza / Diversidad (already Monday)
        "2026-11-02",  # Todos los Santos (Sun Nov 1 -> Mon)
        "2026-11-16",  # Independencia de Cartagena (Wed Nov 11 -> Mon)
        "2026-12-08",  # Inmaculada Concepción (Tue)
        "2026-12-25",  # Navidad (Fri)
    ],
    2027: [
        "2027-01-01",  # Año Nuevo (Fri)
        "2027-01-11",  # Reyes Magos (Wed Jan 6 -> Mon)
        "2027-03-22",  # San José (Fri Mar 19 -> Mon)
        "2027-03-25",  # Jueves Santo
        "2027-03-26",  # Viernes Santo
        "2027-05-01",  # Día del Trabajo (Saturday: not moved)
        "2027-05-10",  # Ascensión (Easter+43)
        "2027-05-31",  # Corpus Christi (Easter+64)
        "2027-06-07",  # Sagrado Corazón (Easter+71)
        "2027-07-05",  # San Pedro y San Pablo (Tue Jun 29 -> Mon)
        "2027-07-12",  # Chiquinquirá (Fri Jul 9 -> Mon)
        "2027-07-20",  # Independencia (Tue)
        "2027-08-07",  # Batalla de Boyacá (Saturday: not moved)
        "2027-08-16",  # Asunción (Sun Aug 15 -> Mon)
        "2027-10-18",  # Día de la Raza / Diversidad (Tue Oct 12 -> Mon)
        "2027-11-01",  # Todos los Santos (already Monday)
        "2027-11-15",  # Independencia de Cartagena (Thu Nov 11 -> Mon)
        "2027-12-08",  # Inmaculada Concepción (Wed)
        "2027-12-25",  # Navidad (Saturday: not moved)
    ],
}


@pytest.mark.parametrize("year", sorted(CO_HOLIDAYS))
def test_holidays_package_agrees_with_the_official_colombian_list(year: int) -> None:
    # Every due date depends on this list; an outdated `holidays` (e.g. one without
    # Ley 2578 de 2026) would silently shift terms by a day.
    from_package = sorted(holidays.country_holidays("CO", years=year))
    assert from_package == [D(day) for day in CO_HOLIDAYS[year]]


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar(OfficeHours.parse(DEFAULT_OFFICE_HOURS))


# (received, request type, due date) with the default hours, mon-fri 08:00-16:00 in Bogotá.
# The comment on each row is the effective receipt day (term day 0).
DUE_DATES = [
    # Holy Week
    ("2025-04-16T10:00:00-05:00", "peticion", "2025-05-12"),  # Wed 04-16; skips Apr 17-18, May 1
    ("2025-04-17T09:00:00-05:00", "peticion", "2025-05-13"),  # Jueves Santo -> Mon 04-21
    ("2025-04-18T12:00:00", "informacion", "2025-05-06"),  # Viernes Santo, naive -> Mon 04-21
    ("2026-04-01T15:59:00-05:00", "peticion", "2026-04-24"),  # Wed 04-01; skips Apr 2-3
    ("2026-04-02T10:00:00-05:00", "queja", "2026-04-27"),  # Jueves Santo -> Mon 04-06
    ("2026-04-03T10:00:00-05:00", "informacion", "2026-04-20"),  # Viernes Santo -> Mon 04-06
    ("2027-03-24T16:01:00-05:00", "peticion", "2027-04-19"),  # Wed after close -> Mon 03-29
    ("2027-03-26T08:00:00-05:00", "consulta", "2027-05-11"),  # Viernes Santo -> Mon 03-29
    ("2027-03-22T10:00:00-05:00", "consulta", "2027-05-06"),  # San José -> Tue 03-23
    # Holidays moved to Monday (Ley Emiliani)
    ("2025-03-24T10:00:00-05:00", "peticion", "2025-04-15"),  # San José -> Tue 03-25
    ("2025-03-21T16:00:00-05:00", "peticion", "2025-04-15"),  # Fri 16:00 -> Tue 03-25
    ("2025-06-30T09:00:00-05:00", "informacion", "2025-07-15"),  # San Pedro -> Tue 07-01
    ("2025-06-27T17:00:00-05:00", "peticion", "2025-07-22"),  # Fri after close -> Tue 07-01
    ("2026-01-12T09:00:00-05:00", "peticion", "2026-02-03"),  # Reyes -> Tue 01-13
    ("2026-06-15T09:00:00-05:00", "peticion", "2026-07-08"),  # Sagrado Corazón -> Tue 06-16
    ("2026-08-17T08:00:00-05:00", "informacion", "2026-09-01"),  # Asunción -> Tue 08-18
    ("2027-01-11T10:00:00-05:00", "peticion", "2027-02-02"),  # Reyes -> Tue 01-12
    ("2027-07-05T10:00:00-05:00", "peticion", "2027-07-29"),  # San Pedro -> Tue 07-06
    ("2027-11-15T10:00:00-05:00", "consulta", "2027-12-29"),  # Cartagena -> Tue 11-16
    ("2026-07-10T16:30:00-05:00", "peticion", "2026-08-05"),  # Fri late; Chiquinquirá -> Tue 07-14
    ("2027-07-09T10:00:00-05:00", "peticion", "2027-08-03"),  # Jul 9 itself works (moved to 12th)
    ("2026-10-12T10:00:00-05:00", "queja", "2026-11-04"),  # Día de la Raza -> Tue 10-13
    ("2027-10-18T10:00:00-05:00", "consulta", "2027-12-02"),  # Día de la Raza -> Tue 10-19
    ("2025-11-03T10:00:00-05:00", "reclamo", "2025-11-26"),  # Todos los Santos -> Tue 11-04
    ("2025-10-10T16:00:00-05:00", "consulta", "2025-11-27"),  # Fri 16:00 -> Tue 10-14
    # Easter-based Monday holidays
    ("2025-05-30T10:00:00-05:00", "peticion", "2025-06-24"),  # Fri; skips Jun 2 and Jun 23
    ("2025-06-02T10:00:00-05:00", "informacion", "2025-06-17"),  # Ascensión -> Tue 06-03
    ("2025-06-23T10:00:00-05:00", "peticion", "2025-07-16"),  # Corpus -> Tue 06-24
    ("2026-05-18T10:00:00-05:00", "peticion", "2026-06-10"),  # Ascensión -> Tue 05-19
    ("2026-06-08T07:59:00-05:00", "consulta", "2026-07-27"),  # Corpus, before opening -> Tue
    ("2027-05-10T10:00:00-05:00", "queja", "2027-06-02"),  # Ascensión -> Tue 05-11
    ("2027-05-31T10:00:00-05:00", "peticion", "2027-06-23"),  # Corpus -> Tue 06-01
    ("2027-06-07T10:00:00-05:00", "informacion", "2027-06-22"),  # Sagrado Corazón -> Tue 06-08
    # Year end, into January with Jan 1 and the moved Reyes
    ("2025-12-24T10:00:00-05:00", "peticion", "2026-01-19"),  # Wed 12-24 is a business day
    ("2025-12-25T10:00:00-05:00", "peticion", "2026-01-20"),  # Navidad -> Fri 12-26
    ("2025-12-26T15:59:00-05:00", "informacion", "2026-01-13"),  # Fri 12-26, last minute
    ("2025-12-29T16:00:00-05:00", "peticion", "2026-01-22"),  # Mon at closing -> Tue 12-30
    ("2025-12-30T07:59:00-05:00", "peticion", "2026-01-22"),  # Tue before opening -> Tue 12-30
    ("2025-12-31T12:00:00-05:00", "consulta", "2026-02-13"),  # Wed 12-31
    ("2025-12-31T16:01:00-05:00", "informacion", "2026-01-19"),  # after close -> Fri 2026-01-02
    ("2026-12-24T10:00:00-05:00", "queja", "2027-01-19"),  # Thu 12-24
    ("2026-12-31T10:00:00-05:00", "peticion", "2027-01-25"),  # Thu 12-31
    ("2026-12-31T16:00:00-05:00", "informacion", "2027-01-19"),  # at closing -> Mon 2027-01-04
    ("2026-12-08T10:00:00-05:00", "denuncia", "2026-12-31"),  # Inmaculada -> Wed 12-09
    # Around the closing and opening times on an ordinary Wednesday
    ("2026-03-04T15:59:00-05:00", "peticion", "2026-03-26"),  # in hours -> Wed 03-04
    ("2026-03-04T16:00:00-05:00", "peticion", "2026-03-27"),  # closing is exclusive -> Thu
    ("2026-03-04T16:01:00-05:00", "peticion", "2026-03-27"),  # after close -> Thu 03-05
    ("2026-03-04T07:59:00-05:00", "peticion", "2026-03-26"),  # before opening -> same Wed
    ("2026-03-04T07:59:00", "informacion", "2026-03-18"),  # naive = Bogotá time -> Wed
    # Given in UTC: Bogotá is UTC-5 all year
    ("2026-03-03T02:30:00+00:00", "peticion", "2026-03-25"),  # Mon 21:30 local -> Tue 03-03
    ("2026-03-03T20:59:00+00:00", "peticion", "2026-03-25"),  # Tue 15:59 local -> Tue
    ("2026-03-03T21:00:00+00:00", "peticion", "2026-03-26"),  # Tue 16:00 local -> Wed 03-04
    ("2026-03-03T12:30:00+00:00", "peticion", "2026-03-25"),  # Tue 07:30 local -> Tue
    ("2026-03-04T20:00:00+00:00", "peticion", "2026-03-26"),  # Wed 15:00 local: in hours
    # Weekends and holidays that fall on one
    ("2025-03-08T10:00:00-05:00", "peticion", "2025-04-01"),  # Sat -> Mon 03-10; skips 03-24
    ("2026-03-08T10:00:00-05:00", "consulta", "2026-04-23"),  # Sun -> Mon 03-09
    ("2027-02-06T10:00:00", "informacion", "2027-02-22"),  # Sat -> Mon 02-08
    ("2027-08-07T10:00:00-05:00", "peticion", "2027-08-31"),  # Boyacá on a Sat -> Mon 08-09
    ("2025-07-20T10:00:00-05:00", "peticion", "2025-08-12"),  # Independencia on a Sun -> Mon
    ("2025-08-07T10:00:00-05:00", "informacion", "2025-08-25"),  # Boyacá (Thu) -> Fri 08-08
    ("2025-05-01T10:00:00-05:00", "sugerencia", "2025-05-23"),  # Día del Trabajo -> Fri 05-02
    ("2027-12-07T10:00:00-05:00", "felicitacion", "2027-12-29"),  # Tue; skips Dec 8 and Dec 25
]


@pytest.mark.parametrize(("received", "request_type", "expected"), DUE_DATES)
def test_due_date_counts_business_days_after_the_effective_receipt_day(
    calendar: BusinessCalendar, received: str, request_type: str, expected: str
) -> None:
    due = calendar.due_date(datetime.datetime.fromisoformat(received), request_type)
    assert due == D(expected)


def test_due_date_table_covers_every_year_and_term_length() -> None:
    years = {received[:4] for received, _, _ in DUE_DATES}
    types = {request_type for _, request_type, _ in DUE_DATES}
    assert len(DUE_DATES) >= 45
    assert years == {"2025", "2026", "2027"}
    assert {"peticion", "informacion", "consulta", "queja"} <= types


# --- effective receipt day -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2026-03-04T08:00:00-05:00", "2026-03-04"),  # opening is inside hours
        ("2026-03-04T07:59:00-05:00", "2026-03-04"),  # before opening: counts at opening
        ("2026-03-04T00:00:00-05:00", "2026-03-04"),  # midnight: still before opening
        ("2026-03-04T15:59:59-05:00", "2026-03-04"),
        ("2026-03-04T16:00:00-05:00", "2026-03-05"),  # closing is exclusive
        ("2026-03-06T16:00:00-05:00", "2026-03-09"),  # Fri at closing -> Mon
        ("2026-03-07T09:00:00-05:00", "2026-03-09"),  # Saturday -> Mon
        ("2026-03-22T09:00:00-05:00", "2026-03-24"),  # Sunday before San José Monday -> Tue
        ("2026-03-03T02:30:00+00:00", "2026-03-03"),  # 21:30 Mon in Bogotá -> Tue
        ("2026-03-04T04:59:00+00:00", "2026-03-04"),  # 23:59 Tue in Bogotá -> Wed
        ("2026-03-04T13:00:00+00:00", "2026-03-04"),  # 08:00 Wed in Bogotá
        ("2026-03-04T10:00:00+01:00", "2026-03-04"),  # 04:00 Wed in Bogotá: before opening
        ("2026-03-04T18:00:00+00:00", "2026-03-04"),  # 13:00 Wed in Bogotá
        ("2026-03-05T05:00:00+09:00", "2026-03-04"),  # 15:00 Wed in Bogotá, Thu in Tokyo
    ],
)
def test_effective_receipt_day_follows_local_office_hours(
    calendar: BusinessCalendar, received: str, expected: str
) -> None:
    assert calendar.effective_receipt_day(datetime.datetime.fromisoformat(received)) == D(expected)


def test_a_different_timezone_moves_the_local_day() -> None:
    madrid = BusinessCalendar(OfficeHours.parse(DEFAULT_OFFICE_HOURS), timezone="Europe/Madrid")
    # 02:30 UTC on Tuesday 2026-03-03 is 03:30 in Madrid: before opening, so the same day.
    received = datetime.datetime.fromisoformat("2026-03-03T02:30:00+00:00")
    assert madrid.effective_receipt_day(received) == D("2026-03-03")


# --- business days ---------------------------------------------------------------------------


@pytest.mark.parametrize("year", sorted(CO_HOLIDAYS))
def test_no_official_holiday_is_a_business_day(calendar: BusinessCalendar, year: int) -> None:
    assert not any(calendar.is_business_day(D(day)) for day in CO_HOLIDAYS[year])


def test_business_days_are_office_weekdays_without_holidays(calendar: BusinessCalendar) -> None:
    assert calendar.is_business_day(D("2026-03-04"))  # Wednesday
    assert not calendar.is_business_day(D("2026-03-07"))  # Saturday
    assert not calendar.is_business_day(D("2026-03-08"))  # Sunday
    assert not calendar.is_business_day(D("2026-03-23"))  # San José, moved to Monday
    assert calendar.is_business_day(D("2026-03-19"))  # the original San José date works
    assert calendar.is_business_day(D("2025-12-24"))  # Christmas Eve is not a holiday
    assert calendar.is_business_day(D("2025-12-31"))  # nor is New Year's Eve


def test_add_zero_business_days_returns_the_day_itself(calendar: BusinessCalendar) -> None:
    assert calendar.add_business_days(D("2026-03-04"), 0) == D("2026-03-04")
    # Even a holiday: n=0 means no counting at all.
    assert calendar.add_business_days(D("2025-12-25"), 0) == D("2025-12-25")


def test_add_business_days_skips_weekends_and_holidays(calendar: BusinessCalendar) -> None:
    assert calendar.add_business_days(D("2025-12-24"), 1) == D("2025-12-26")
    assert calendar.add_business_days(D("2026-12-31"), 1) == D("2027-01-04")
    assert calendar.add_business_days(D("2027-03-24"), 1) == D("2027-03-29")
    assert calendar.add_business_days(D("2026-03-07"), 1) == D("2026-03-09")  # from a Saturday


def test_add_business_days_refuses_a_negative_count(calendar: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="-1"):
        calendar.add_business_days(D("2026-03-04"), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-03-04", "2026-03-04", 0),  # answered on the day of receipt
        ("2026-03-04", "2026-03-05", 1),  # Wed -> Thu
        ("2026-03-06", "2026-03-09", 1),  # Fri -> Mon: the weekend does not count
        ("2026-03-06", "2026-03-08", 0),  # Fri -> Sun: no business day yet
        ("2026-03-20", "2026-03-24", 1),  # Fri -> Tue over San José (Mon 03-23)
        ("2026-03-31", "2026-04-06", 2),  # Tue -> Mon over Holy Thursday and Friday
        ("2025-12-24", "2026-01-02", 5),  # 26, 29, 30, 31 Dec and 2 Jan; 25 Dec and 1 Jan off
        ("2026-03-04", "2026-03-25", 14),  # three weeks less San José
        ("2026-03-09", "2026-03-04", 0),  # an end before the start took no time
        ("2026-03-07", "2026-03-07", 0),  # a Saturday to itself
    ],
)
def test_business_days_between_counts_days_after_start_up_to_end(
    calendar: BusinessCalendar, start: str, end: str, expected: int
) -> None:
    assert calendar.business_days_between(D(start), D(end)) == expected


@pytest.mark.parametrize(
    ("start", "n"),
    [("2026-03-04", 0), ("2026-03-04", 10), ("2025-12-24", 15), ("2026-03-27", 30)],
)
def test_business_days_between_undoes_add_business_days(
    calendar: BusinessCalendar, start: str, n: int
) -> None:
    assert calendar.business_days_between(D(start), calendar.add_business_days(D(start), n)) == n


# --- forwarding (art. 21) --------------------------------------------------------------------


def test_forwarding_days_is_five() -> None:
    assert FORWARDING_DAYS == 5


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2026-03-04T10:00:00-05:00", "2026-03-11"),  # Wed -> next Wed
        ("2025-04-16T16:30:00-05:00", "2025-04-28"),  # after close in Holy Week -> Mon 04-21
        ("2026-12-31T16:00:00-05:00", "2027-01-12"),  # -> Mon 01-04; skips Reyes 01-11
        ("2025-12-31T23:00:00", "2026-01-09"),  # naive, after close -> Fri 2026-01-02
    ],
)
def test_forwarding_date_is_five_business_days_after_receipt(
    calendar: BusinessCalendar, received: str, expected: str
) -> None:
    assert calendar.forwarding_date(datetime.datetime.fromisoformat(received)) == D(expected)


# --- custom office hours ---------------------------------------------------------------------


def test_saturday_office_radicates_on_saturday_and_counts_saturdays() -> None:
    mon_sat = BusinessCalendar(OfficeHours.parse("mon-sat 07:30-17:00"))
    mon_fri = BusinessCalendar(OfficeHours.parse(DEFAULT_OFFICE_HOURS))
    received = datetime.datetime.fromisoformat("2026-03-07T10:00:00-05:00")  # Saturday
    assert mon_sat.effective_receipt_day(received) == D("2026-03-07")
    assert mon_sat.due_date(received, "peticion") == D("2026-03-26")
    assert mon_fri.due_date(received, "peticion") == D("2026-03-31")


def test_later_closing_keeps_a_late_receipt_on_the_same_day() -> None:
    mon_sat = BusinessCalendar(OfficeHours.parse("mon-sat 07:30-17:00"))
    mon_fri = BusinessCalendar(OfficeHours.parse(DEFAULT_OFFICE_HOURS))
    received = datetime.datetime.fromisoformat("2026-03-04T16:30:00-05:00")
    assert mon_sat.due_date(received, "peticion") == D("2026-03-21")  # a Saturday
    assert mon_fri.due_date(received, "peticion") == D("2026-03-27")
    early = datetime.datetime.fromisoformat("2026-03-04T07:15:00-05:00")
    assert mon_sat.effective_receipt_day(early) == D("2026-03-04")


def test_office_open_three_days_a_week_counts_only_those_days() -> None:
    mwf = BusinessCalendar(OfficeHours.parse("mon,wed,fri 08:00-12:00"))
    tuesday = datetime.datetime.fromisoformat("2026-03-03T10:00:00-05:00")
    assert mwf.effective_receipt_day(tuesday) == D("2026-03-04")
    assert mwf.due_date(tuesday, "informacion") == D("2026-03-30")  # skips San José 03-23
    wednesday_noon = datetime.datetime.fromisoformat("2026-03-04T12:00:00-05:00")
    assert mwf.effective_receipt_day(wednesday_noon) == D("2026-03-06")
    assert mwf.due_date(wednesday_noon, "informacion") == D("2026-04-01")


# --- OfficeHours.parse -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "opens", "closes"),
    [
        ("mon-fri 08:00-16:00", {0, 1, 2, 3, 4}, "08:00", "16:00"),
        ("mon-sat 07:30-17:00", {0, 1, 2, 3, 4, 5}, "07:30", "17:00"),
        ("mon,wed,fri 08:00-12:00", {0, 2, 4}, "08:00", "12:00"),
        ("MON-FRI 08:00-16:00", {0, 1, 2, 3, 4}, "08:00", "16:00"),
        ("  Mon-Thu, Sat  7:00 - 13:30 ", {0, 1, 2, 3, 5}, "07:00", "13:30"),
        ("sun 00:00-23:59", {6}, "00:00", "23:59"),
    ],
)
def test_office_hours_parse_reads_days_and_times(
    text: str, days: set[int], opens: str, closes: str
) -> None:
    hours = OfficeHours.parse(text)
    assert hours.days == frozenset(days)
    assert hours.opens == datetime.time.fromisoformat(opens)
    assert hours.closes == datetime.time.fromisoformat(closes)


@pytest.mark.parametrize(
    "text",
    [
        "mon-fri 08:00-16:00",
        "mon-sat 07:30-17:00",
        "mon,wed,fri 08:00-12:00",
        "mon-wed,fri-sun 09:15-18:45",
        "tue 10:00-11:00",
    ],
)
def test_office_hours_str_round_trips_through_parse(text: str) -> None:
    hours = OfficeHours.parse(text)
    assert str(hours) == text
    assert OfficeHours.parse(str(hours)) == hours


def test_office_hours_str_is_canonical() -> None:
    assert str(OfficeHours.parse("FRI,Mon-Thu 8:00-16:00")) == DEFAULT_OFFICE_HOURS


@pytest.mark.parametrize(
    "text",
    [
        "xyz",
        "",
        "mon-fri",
        "08:00-16:00",
        "monday-friday 08:00-16:00",
        "mon-fri 8-16",
        "mon-fri 08:00-16:00 x",
    ],
)
def test_office_hours_parse_refuses_garbage_naming_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        OfficeHours.parse(text)
    assert str(excinfo.value) == (
        f"expected days and hours like 'mon-fri 08:00-16:00', got {text!r}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-fri 16:00-08:00", "not before closing"),
        ("mon-fri 08:00-08:00", "not before closing"),
        ("mon-fri 25:00-26:00", "not a time of day"),
        ("mon-fri 08:60-16:00", "not a time of day"),
        ("fri-mon 08:00-16:00", "runs backwards"),
    ],
)
def test_office_hours_parse_refuses_impossible_hours(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as excinfo:
        OfficeHours.parse(text)
    assert "expected days and hours like 'mon-fri 08:00-16:00'" in str(excinfo.value)


def test_office_hours_refuses_an_empty_week_built_directly() -> None:
    with pytest.raises(ValueError, match="weekday numbers"):
        OfficeHours(days=frozenset(), opens=datetime.time(8), closes=datetime.time(16))


# --- term lengths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_type", "days"),
    [
        ("peticion", 15),
        ("informacion", 10),
        ("consulta", 30),
        ("queja", 15),
        ("reclamo", 15),
        ("sugerencia", 15),
        ("denuncia", 15),
        ("felicitacion", 15),
    ],
)
def test_term_days_follow_ley_1755_art_14(request_type: str, days: int) -> None:
    assert term_days(request_type) == days


def test_every_request_type_has_a_term_and_nothing_else_does() -> None:
    assert set(TERM_DAYS) == set(REQUEST_TYPES)
    assert not set(TERM_DAYS) & set(NON_REQUEST_CLASSES)


@pytest.mark.parametrize("slug", ["comentario", "xyz"])
def test_term_days_refuses_what_is_not_a_request_listing_valid_types(slug: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        term_days(slug)
    message = str(excinfo.value)
    assert repr(slug) in message
    assert all(request_type in message for request_type in REQUEST_TYPES)


def test_due_date_refuses_an_unknown_type(calendar: BusinessCalendar) -> None:
    received = datetime.datetime.fromisoformat("2026-03-04T10:00:00-05:00")
    with pytest.raises(ValueError, match="'spam'"):
        calendar.due_date(received, "spam")


@pytest.mark.parametrize(
    ("due", "open_case", "expected"),
    [
        (datetime.date(2026, 3, 13), True, "vencido"),
        (datetime.date(2026, 3, 16), True, "vence_hoy"),
        (datetime.date(2026, 3, 17), True, ""),
        (datetime.date(2026, 3, 13), False, ""),  # answered, forwarded or annulled
    ],
)
def test_deadline_state_against_today(due, open_case, expected):
    assert deadline_state(due, datetime.date(2026, 3, 16), open_case=open_case) == expected


def test_this_years_and_next_years_holidays_can_be_built_before_forking():
    from ventanilla.routing import terms

    terms._co_holidays.cache_clear()
    terms.prepare_holidays(datetime.date(2026, 12, 8))
    assert terms._co_holidays.cache_info().currsize == 2
    assert datetime.date(2027, 1, 11) in terms._co_holidays(2027)  # Reyes, moved to Monday
    assert terms._co_holidays.cache_info().misses == 2  # nothing built again
