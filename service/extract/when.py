"""Dates in news text, absolute or relative to the publication date, with their precision.

"2022년 4월", "2024.02.28", "Feb. 28, 2024" are absolute; "지난달 28일", "지난 1월", "작년 10월",
"이날", "last month", "on Tuesday" are resolved against the day the article was published. A
date after publication is a plan or a target ("2030년까지"), not when something was announced,
and is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from service.dates import Precision

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)


@dataclass(frozen=True)
class DateMention:
    """A date the text gives: where, and the date at its precision (first day of a month or
    year for those precisions)."""

    start: int
    end: int
    on: date
    precision: Precision


def _month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _past_month(published: date, month: int) -> date:
    """The most recent month ``month`` before publication ("지난 1월", "last October")."""
    year = published.year if month < published.month else published.year - 1
    return date(year, month, 1)


def _month_of(published: date, month: int, day: int | None) -> date | None:
    """A month (and day) without a year: this year's, unless that is still to come."""
    year = published.year
    try:
        candidate = date(year, month, day or 1)
        if candidate > published:
            candidate = date(year - 1, month, day or 1)
    except ValueError:
        return None
    return candidate


def _previous_month(published: date) -> date:
    first = published.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _day_in(month: date, day: int) -> date | None:
    try:
        return month.replace(day=day)
    except ValueError:
        return None


def _recent_day(published: date, day: int) -> date | None:
    """A bare day of the month ("26일"): this month's if not after publication, else last
    month's."""
    this_month = _day_in(published.replace(day=1), day)
    if this_month is not None and this_month <= published:
        return this_month
    return _day_in(_previous_month(published), day)


def _int(match: re.Match[str], group: str) -> int:
    return int(match.group(group))


Resolver = Callable[[re.Match[str], date], tuple[date | None, Precision]]


def _full(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    try:
        return date(_int(m, "year"), _int(m, "m"), _int(m, "day")), Precision.DAY
    except ValueError:
        return None, Precision.DAY


def _year_month(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    month = _int(m, "m")
    if not 1 <= month <= 12:
        return None, Precision.MONTH
    return date(_int(m, "year"), month, 1), Precision.MONTH


def _year_only(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    return date(_int(m, "year"), 1, 1), Precision.YEAR


def _relative_year(offset: int) -> Resolver:
    def resolve(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
        year = p.year + offset
        month = m.groupdict().get("m")
        if month is None:
            return date(year, 1, 1), Precision.YEAR
        if not 1 <= int(month) <= 12:
            return None, Precision.MONTH
        day = m.groupdict().get("day")
        if day is None:
            return date(year, int(month), 1), Precision.MONTH
        try:
            return date(year, int(month), int(day)), Precision.DAY
        except ValueError:
            return None, Precision.DAY

    return resolve


def _last_month(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    month = _previous_month(p)
    day = m.groupdict().get("day")
    if day is None:
        return month, Precision.MONTH
    return _day_in(month, int(day)), Precision.DAY


def _this_month(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    day = m.groupdict().get("day")
    if day is None:
        return p.replace(day=1), Precision.MONTH
    return _day_in(p.replace(day=1), int(day)), Precision.DAY


def _past_named_month(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    raw = m.group("m") if m.groupdict().get("m") else m.group("month")
    month = int(raw) if raw.isdigit() else _month_number(raw)
    if not 1 <= month <= 12:
        return None, Precision.MONTH
    start = _past_month(p, month)
    day = m.groupdict().get("day")
    if day is None:
        return start, Precision.MONTH
    return _day_in(start, int(day)), Precision.DAY


def _past_day(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    return _recent_day(p, _int(m, "day")), Precision.DAY


def _month_day(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    raw = m.group("m") if m.groupdict().get("m") else m.group("month")
    month = int(raw) if raw.isdigit() else _month_number(raw)
    if not 1 <= month <= 12:
        return None, Precision.DAY
    return _month_of(p, month, _int(m, "day")), Precision.DAY


def _month_no_year(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    raw = m.group("m") if m.groupdict().get("m") else m.group("month")
    month = int(raw) if raw.isdigit() else _month_number(raw)
    if not 1 <= month <= 12:
        return None, Precision.MONTH
    return _month_of(p, month, None), Precision.MONTH


def _english_full(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    try:
        return date(_int(m, "year"), _month_number(m.group("month")), _int(m, "day")), Precision.DAY
    except ValueError:
        return None, Precision.DAY


def _english_month_year(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    return date(_int(m, "year"), _month_number(m.group("month")), 1), Precision.MONTH


def _weekday(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
    wanted = _WEEKDAYS.index(m.group("weekday").lower())
    return p - timedelta(days=(p.weekday() - wanted) % 7), Precision.DAY


def _days_back(days: int) -> Resolver:
    def resolve(m: re.Match[str], p: date) -> tuple[date | None, Precision]:
        return p - timedelta(days=days), Precision.DAY

    return resolve


_Y = r"(?P<year>(?:19|20)\d{2})"
_KO_M = r"(?P<m>\d{1,2})\s?월"
_KO_D = r"(?P<day>\d{1,2})\s?일(?!\s?(?:간|동안|째))"

_KOREAN: list[tuple[re.Pattern[str], Resolver]] = [
    (re.compile(rf"{_Y}\s?년\s?{_KO_M}\s?{_KO_D}"), _full),
    (
        re.compile(rf"(?<!\d){_Y}\s?[.\-/]\s?(?P<m>\d{{1,2}})\s?[.\-/]\s?(?P<day>\d{{1,2}})(?!\d)"),
        _full,
    ),
    (re.compile(rf"(?:지난\s?)?{_Y}\s?년\s?{_KO_M}"), _year_month),
    (re.compile(rf"(?:작년|지난해|전년)\s?{_KO_M}(?:\s?{_KO_D})?"), _relative_year(-1)),
    (re.compile(rf"(?:올해|올|금년)\s?{_KO_M}(?:\s?{_KO_D})?"), _relative_year(0)),
    (re.compile(rf"지난달(?:\s?{_KO_D})?"), _last_month),
    (re.compile(rf"(?:이달|이번\s?달)(?:\s?{_KO_D})?"), _this_month),
    (re.compile(rf"지난\s?{_KO_M}(?:\s?{_KO_D})?"), _past_named_month),
    (re.compile(rf"지난\s?{_KO_D}"), _past_day),
    (re.compile(rf"(?<![\d.])\b{_KO_M}\s?{_KO_D}"), _month_day),
    (re.compile(rf"(?<![\d.년])\b{_KO_D}"), _past_day),
    (re.compile(r"이날|당일"), _days_back(0)),
    (re.compile(r"전날|어제"), _days_back(1)),
    (re.compile(r"(?:작년|지난해|전년)"), _relative_year(-1)),
    (re.compile(r"(?:올해|금년)"), _relative_year(0)),
    (re.compile(rf"(?<![\d.])\b{_KO_M}(?!\s?\d)"), _month_no_year),
    (re.compile(rf"(?<!\d){_Y}\s?년(?!\s?\d)"), _year_only),
]

_EN_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_ENGLISH: list[tuple[re.Pattern[str], Resolver]] = [
    (re.compile(rf"\b{_MONTH}\s{_EN_DAY},?\s{_Y}\b"), _english_full),
    (re.compile(rf"\b{_EN_DAY}\s{_MONTH},?\s{_Y}\b"), _english_full),
    (re.compile(rf"\b{_Y}-(?P<m>\d{{2}})-(?P<day>\d{{2}})\b"), _full),
    (re.compile(rf"\b{_MONTH}(?:\sof)?,?\s{_Y}\b"), _english_month_year),
    (re.compile(r"\blast month\b", re.IGNORECASE), _last_month),
    (re.compile(r"\bthis month\b", re.IGNORECASE), _this_month),
    (re.compile(rf"\blast {_MONTH}\b"), _past_named_month),
    (re.compile(rf"\b{_MONTH}\s{_EN_DAY}\b(?!,?\s\d)"), _month_day),
    (re.compile(rf"\b(?:in|since|during|from|by|early|late|mid-?)\s{_MONTH}\b"), _month_no_year),
    (
        re.compile(
            r"\b(?:on\s)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
        _weekday,
    ),
    (re.compile(r"\byesterday\b", re.IGNORECASE), _days_back(1)),
    (re.compile(r"\btoday\b", re.IGNORECASE), _days_back(0)),
    (re.compile(r"\blast year\b", re.IGNORECASE), _relative_year(-1)),
    (re.compile(r"\b(?:earlier )?this year\b", re.IGNORECASE), _relative_year(0)),
    (re.compile(rf"\b(?:in|since|during|from)\s{_Y}\b"), _year_only),
]


def find_dates(text: str, language: str, published: date) -> list[DateMention]:
    """The dates in ``text`` (a sentence), leftmost first, none after ``published``.

    >>> from datetime import date
    >>> text = "양사는 지난 2022년 4월과 작년 10월 협약을 맺었다"
    >>> [(d.on.isoformat(), d.precision.value) for d in find_dates(text, "ko", date(2024, 3, 3))]
    [('2022-04-01', 'Month'), ('2023-10-01', 'Month')]
    >>> [(d.on.isoformat(), d.precision.value)
    ...  for d in find_dates("지난달 28일 만나", "ko", date(2024, 3, 3))]
    [('2024-02-28', 'Day')]
    >>> [d.on.isoformat() for d in find_dates("signed on Feb. 28, 2024 and on Tuesday", "en",
    ...                                          date(2024, 3, 7))]
    ['2024-02-28', '2024-03-05']
    """
    patterns = _KOREAN if language == "ko" else _ENGLISH
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for pattern, resolve in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            if end == start or any(start < e and s < end for s, e in taken):
                continue
            on, precision = resolve(match, published)
            taken.append((start, end))
            if on is not None and on <= published:
                found.append(DateMention(start, end, on, precision))
    return sorted(found, key=lambda d: d.start)
