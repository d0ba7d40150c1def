"""Swedish personal identity and coordination numbers: found in every written form, while
ordinary numbers (phone numbers, organisation numbers, dates, amounts) pass."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.personal_data import (
    contains_personal_number,
    find_personal_numbers,
    luhn_ok,
)

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    "text",
    [
        "811218-9876",                    # ten digits with hyphen
        "8112189876",                     # ten digits, no hyphen
        "19811218-9876",                  # century digits and hyphen
        "198112189876",                   # century digits, no hyphen
        "121212+1212",                    # plus: born more than 100 years ago (1912)
        "19121212-1212",
        "20121212-1212",                  # a child born 2012
        "000229-1235",                    # 29 February 2000 (a leap year)
        "850671-2341",                    # coordination number: day 71 = 11 + 60
        "19850671-2341",
        "8506712341",
        "Flickans personnummer var 640823-3234, skrev handläggaren.",
        "(pnr:8112189876)",
        "Se 19811218-9876.",
    ],
)
def test_personal_numbers_are_found(text):
    found = find_personal_numbers(text, today=TODAY)
    assert len(found) == 1, text


def test_coordination_numbers_are_marked():
    (found,) = find_personal_numbers("850671-2341", today=TODAY)
    assert found.coordination is True
    (found,) = find_personal_numbers("811218-9876", today=TODAY)
    assert found.coordination is False


@pytest.mark.parametrize(
    "text",
    [
        "811218-9875",                    # wrong check digit
        "8112189875",
        "050229-1230",                    # 29 February 2005 does not exist (Luhn would pass)
        "811318-9876",                    # month 13
        "850691-2341",                    # coordination day 91 = 31 June
        "21121212-1212",                  # born in 2112: in the future
        "19121212+1212",                  # the plus sign never follows century digits
        "212000-2627",                    # Umeå kommun's organisation number (month 20)
        "556036-0793",                    # a company's organisation number
        "070-123 45 67",                  # phone numbers as people write them
        "0701234567",
        "+46701234567",
        "090-16 10 00",
        "2021-03-15", "20210315", "2019–2023", "15 mars 2021",
        "Kostnaden var 1 200 000 kronor och 12 345 timmar.",
        "Dnr 2021-1234, diarienummer 1234567-89",
        "ISBN 978-91-27-12345-6",
        "1212121212121",                  # thirteen digits: not an identity number
        "12121212121212",
        "903 25 Umeå",
        "Budget 2024: 4 500 000 kr, 9 000 timmar, 24 månader.",
        "",
    ],
)
def test_ordinary_numbers_pass(text):
    assert find_personal_numbers(text, today=TODAY) == [], text


def test_luhn():
    assert luhn_ok("8112189876") and luhn_ok("1212121212")
    assert not luhn_ok("8112189875") and not luhn_ok("1212121213")


def test_several_numbers_and_texts():
    text = "811218-9876 och 19850671-2341 men inte 212000-2627"
    assert [f.text for f in find_personal_numbers(text, today=TODAY)] == ["811218-9876", "19850671-2341"]
    assert contains_personal_number(["ingenting", "pnr 8112189876"], today=TODAY)
    assert not contains_personal_number(["ingenting", "tel 0701234567", ""], today=TODAY)


def test_ten_digit_numbers_resolve_to_the_latest_possible_century():
    # 12-12-12 read on 1 June 2026 is 2012 (a child); with "+" it is 1912.
    assert find_personal_numbers("121212-1212", today=TODAY)
    # 31 December 2026 has not come yet, so 261231 is someone born in 1926.
    assert find_personal_numbers("261231-1239", today=TODAY)
    assert find_personal_numbers("20261231-1239", today=TODAY) == []
