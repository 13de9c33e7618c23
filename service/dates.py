"""Dates at a precision: a month or year is stored as its first day (DESIGN.md, ag:announcedOn)."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Precision(Enum):
    """The precisions of the ``ag:DatePrecisions`` scheme; values are the ``ag:`` local names."""

    DAY = "Day"
    MONTH = "Month"
    YEAR = "Year"


def parse_partial_date(text: str) -> tuple[date, Precision]:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into the stored date and its precision.

    >>> parse_partial_date("2022-04")
    (datetime.date(2022, 4, 1), <Precision.MONTH: 'Month'>)
    >>> parse_partial_date("2024-02-28")[1].value
    'Day'
    >>> parse_partial_date("2023")
    (datetime.date(2023, 1, 1), <Precision.YEAR: 'Year'>)

    :raises ValueError: if the text is not such a date or names an impossible day.
    """
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    year, month, day = match.groups()
    if day is not None:
        return date(int(year), int(month), int(day)), Precision.DAY
    if month is not None:
        return date(int(year), int(month), 1), Precision.MONTH
    return date(int(year), 1, 1), Precision.YEAR


def format_at_precision(value: date, precision: Precision) -> str:
    """The date written at its precision.

    >>> format_at_precision(date(2024, 1, 1), Precision.MONTH)
    '2024-01'
    >>> format_at_precision(date(2024, 2, 28), Precision.DAY)
    '2024-02-28'
    """
    if precision is Precision.DAY:
        return value.isoformat()
    if precision is Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}"
