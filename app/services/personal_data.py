"""Finding Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer) in free text.

A match must look like one (YYMMDD or YYYYMMDD, an optional ``-`` or ``+``, four digits,
not part of a longer run of digits), carry a real calendar date (coordination numbers add
60 to the day) that is not in the future, and pass the Luhn check on its ten digits. The
Luhn check and the date make ordinary numbers (phone numbers, amounts, organisation
numbers, years, dates) pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

_CANDIDATE = re.compile(
    r"(?<![\d+\-])"  # not the tail of a longer number
    r"(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[-+])?"
    r"(?P<serial>\d{4})"
    r"(?![\d])"
)


@dataclass(frozen=True)
class PersonalNumber:
    text: str
    start: int
    coordination: bool


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _birth_date(century: str | None, yy: int, mm: int, dd: int, sep: str | None, today: date) -> date | None:
    if century is not None:
        born = _real_date(int(century) * 100 + yy, mm, dd)
        if born is None or born > today or born.year < 1850:
            return None
        return born
    # Ten digits: the most recent matching century; "+" means at least 100 years old.
    for year in (today.year // 100 * 100 + yy, (today.year // 100 - 1) * 100 + yy):
        born = _real_date(year, mm, dd)
        if born is None or born > today:
            continue
        if sep == "+":
            born = _real_date(year - 100, mm, dd)
        return born
    return None


def find_personal_numbers(text: str, *, today: date | None = None) -> list[PersonalNumber]:
    today = today or date.today()
    found: list[PersonalNumber] = []
    for match in _CANDIDATE.finditer(text):
        century, sep = match.group("century"), match.group("sep")
        if century is not None and sep == "+":
            continue  # the plus sign only belongs to the ten-digit form
        yy, mm, dd = int(match.group("yy")), int(match.group("mm")), int(match.group("dd"))
        coordination = dd > 60
        day = dd - 60 if coordination else dd
        if _birth_date(century, yy, mm, day, sep, today) is None:
            continue
        ten = match.group("yy") + match.group("mm") + match.group("dd") + match.group("serial")
        if luhn_ok(ten):
            found.append(PersonalNumber(match.group(0), match.start(), coordination))
    return found


def contains_personal_number(texts: Iterable[str], *, today: date | None = None) -> bool:
    return any(find_personal_numbers(t, today=today) for t in texts if t)
