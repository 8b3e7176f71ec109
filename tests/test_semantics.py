"""What rules mean: table-driven cases over customer attributes, on the tiny shop (tests/shop.py).

Every expected set is worked out by hand from SPEC.md section 3, never pasted from a run.
Each case also checks the partition property of two-valued logic: `not (R)` holds for
exactly the customers outside R, missing values included.

The shop, as of 2025-12-31 12:00 (a Wednesday):

  id country city      name               email             age income    score consent
  1  DE      Berlin    Anna               anna@example.com   34 52000.50   7.5  true
  2  FR      Paris     Émile              ""                 17     0.00   0.0  false
  3  US      New York  O'Brien "Bob"      -                   -        -     -  -
  4  AT      Wien      Zoë -- ; /* x */   zoe@EXAMPLE.org    65 120000.00 -1.25 true
  5  GB      London    back\\slash        B@x.co.uk          30 30000.00   3.0  -
  6  ""      ""        ""                 "  " (2 spaces)     0   -10.00  10.0  false
  7  de      München   名前               ming@example.cn    45 75000.25   5.5  true

  id birth_date  signup_at                   last_seen_at         tags
  1  1991-01-05  2023-03-01 09:00            2025-12-30 18:00     awaits-sale, vip
  2  2008-02-29  2025-12-01 00:00            2025-12-01 12:00     awaits-sale
  3  -           -                           -                    (none)
  4  1960-01-03  2020-01-01 00:00            2024-12-31 12:00     vip, ""
  5  1995-12-31  2025-12-31 12:00 (= as of)  2025-12-01 12:00     Awaits-Sale
  6  2000-01-07  2025-11-30 23:59:59.999999  2025-10-31 12:00     (none)
  7  1980-06-15  2025-12-24 00:00            2025-12-24 23:59:59  newsletter, student

Locations: 1 Berlin, 2 Paris, 4 Vienna, 5 London, 7 Munich; 3 and 6 have none.
Traits: inactive_days = days_since(last_seen_at); adult = age >= 18.
Sets: EU = [AT, BE, DE, FR, IT, NL, ES, PL], SMALL = [1, 2, 3], NONE = [].

Rules are Python raw strings holding the rule text exactly as a marketer types it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from shop import AS_OF, CUSTOMERS, Shop

import segdsl

EVERYONE = frozenset(row[0] for row in CUSTOMERS)
ALL = set(EVERYONE)
NOBODY: set[int] = set()


CASES: list[Any] = [
    # ---- constant rules, booleans -----------------------------------------------------
    (r"true", ALL),
    (r"false", NOBODY),
    (r"TRUE", ALL),  # keywords are case-insensitive
    (r"consent", {1, 4, 7}),
    (r"consent = true", {1, 4, 7}),
    (r"consent = false", {2, 6}),
    (r"consent != true", {2, 3, 5, 6}),  # != is not (=): missing consent (3, 5) included
    (r"consent != false", {1, 3, 4, 5, 7}),
    # SPEC lists booleans among the types all six comparisons take (false < true)
    (r"consent > false", {1, 4, 7}),
    (r"consent <= false", {2, 6}),
    (r"not not consent", {1, 4, 7}),
    (r"consent = (age > 18)", {1, 2, 4, 6, 7}),  # 3, 5: consent missing → no
    # a condition is yes/no for everyone: `age > 18` is *no* (false) for 3, not missing
    (r"(age > 18) = false", {2, 3, 6}),
    # a condition as an operand keeps its parentheses in the SQL (found by
    # tests/test_properties.py: `... >= c.consent IS NULL` reads `(... >= c.consent) IS NULL`)
    (r"adult >= (consent is not set)", {1, 2, 4, 5, 6, 7}),  # 3: false >= true
    (r"(age > 18) = (consent is null)", {2, 5, 6}),
    (r"(not consent) is null", NOBODY),  # a condition is never missing
    # ---- string literals and escapes ------------------------------------------------------
    (r'name = "Anna"', {1}),
    (r'name = "anna"', NOBODY),  # values are case-sensitive
    (r'name = "Émile"', {2}),
    (r'name = "\u00c9mile"', {2}),
    (r'name = "\u00C9mile"', {2}),  # hex digits in either case
    (r'name = "名前"', {7}),
    (r'name = "\u540d\u524d"', {7}),
    (r'''name = "O'Brien \"Bob\""''', {3}),
    (r'name = "back\\slash"', {5}),
    (r'name = "Zoë -- ; /* x */"', {4}),
    (r'name = "Zo\u00eb -- ; /* x */"', {4}),
    (r'name = "Zoë"', NOBODY),
    (r'name = ""', {6}),
    (r'email = ""', {2}),
    (r'email = "  "', {6}),
    (r'length("a\tb\nc") = 5', ALL),  # \t and \n are one character each
    (r'length("\\") = 1 and length("\"") = 1 and length("\u00e9") = 1', ALL),
    (r'name contains "\n" or name contains "\t"', NOBODY),
    (r"""name in ["back\\slash", "\u540d\u524d", "O'Brien \"Bob\""]""", {3, 5, 7}),
    # ---- numbers: integers, decimals, negatives -------------------------------------------
    (r"age = 34", {1}),
    (r"age > 18", {1, 4, 5, 7}),
    (r"age >= 17", {1, 2, 4, 5, 7}),
    (r"age < 18", {2, 6}),
    (r"age <= 0", {6}),
    (r"age != 34", {2, 3, 4, 5, 6, 7}),  # 3 (missing age) included: != is not (=)
    # (`age = null` is a check error, E305 "a comparison with `null` is never true")
    (r"income = 52000.50", {1}),
    (r"income = 52000.5", {1}),
    (r"income > 30000", {1, 4, 7}),
    (r"income >= 30000", {1, 4, 5, 7}),
    (r"income = 0", {2}),
    (r"income < 0", {6}),
    (r"income = -10", {6}),
    (r"income = -10.00", {6}),
    (r"income > -10", {1, 2, 4, 5, 7}),
    (r"income >= -10.5", {1, 2, 4, 5, 6, 7}),
    (r"income < 10000000000", {1, 2, 4, 5, 6, 7}),
    (r"score = 7.5", {1}),
    (r"score = 10", {6}),  # float field, integer literal
    (r"score = -1.25", {4}),
    (r"score < -0.5", {4}),
    (r"score > -1.25", {1, 2, 5, 6, 7}),
    (r"score >= -1.25", {1, 2, 4, 5, 6, 7}),
    (r"income > score", {1, 4, 5, 7}),  # decimal vs float; 6: -10 > 10 no
    (r"-age = -34", {1}),
    (r"age = -(-34)", {1}),
    (r"-age < -40", {4, 7}),
    # ---- arithmetic: precedence, associativity, division ----------------------------------
    (r"age + 1 = 35", {1}),
    (r"age - 1 = 16", {2}),
    (r"age * 2 = 60", {5}),
    (r"1 + age * 2 = 69", {1}),  # * before +: 1 + 68
    (r"- age + 100 = 66", {1}),  # unary minus binds tightest: (-34) + 100
    (r"age - 10 - 5 = 19", {1}),  # left-associative: (34 - 10) - 5
    (r"age / 2 / 2 = 8.5", {1}),  # left-associative: (34 / 2) / 2
    (r"age / 2 = 17", {1}),
    (r"age / 2 = 8.5", {2}),  # division is not integer division: 17 / 2 = 8.5
    (r"income - 0.50 = 52000", {1}),
    (r"income * 2 = 104001", {1}),
    (r"age + 1 between 18 and 35", {1, 2, 5}),
    # parentheses reach the SQL (found by tests/test_properties.py: `n * (n + 1)` once
    # compiled to `n * n + 1`, and an inner division by zero to infinity)
    (r"age * (age + 1) = 1190", {1}),  # 34 × 35
    (r"100 - (age - 30) = 96", {1}),
    (r"age / (age / 2) = 2", {1, 2, 4, 5, 7}),  # 6: 0 / 0 is missing
    (r"income / 0 / age is null", ALL),  # missing at the inner division already
    # division by zero is missing: comparisons with it are no, and `not` of them yes
    (r"age / 0 > 0", NOBODY),
    (r"age / 0 <= 0", NOBODY),
    (r"age / 0 is null", ALL),
    (r"income / age > 1000", {1, 4, 7}),  # 5: exactly 1000; 6: -10 / 0 is missing
    (r"income / age < 1000", {2}),  # 6 is in neither: its quotient is missing
    (r"1 / score > 0", {1, 5, 6, 7}),  # 2: score 0 → missing
    # ---- string comparisons ---------------------------------------------------------------
    (r'country = "DE"', {1}),
    (r'country = "de"', {7}),
    (r'country = ""', {6}),
    (r'country != "DE"', {2, 3, 4, 5, 6, 7}),
    (r'country < "B"', {4, 6}),  # "AT" and "" sort before "B"; "de" (lower case) after
    (r'country >= "a"', {7}),
    (r'city > "M"', {2, 3, 4, 7}),
    (r'email > "a"', {1, 4, 7}),  # "B@x..." (upper case) and "  " sort before "a"
    (r'name > ""', {1, 2, 3, 4, 5, 7}),
    (r'name < ""', NOBODY),
    (r'name between "A" and "Z"', {1, 3}),  # "Zoë..." > "Z"; "back..." and "É..." > "Z"
    # ---- in / not in: lists and named sets ------------------------------------------------
    (r'country in ["DE", "FR"]', {1, 2}),
    (r'country in ["DE", "de"]', {1, 7}),
    (r'country not in ["DE", "FR"]', {3, 4, 5, 6, 7}),
    (r"country in EU", {1, 2, 4}),
    (r"country not in EU", {3, 5, 6, 7}),
    (r"country in []", NOBODY),
    (r"country not in []", ALL),
    (r"country in NONE", NOBODY),
    (r"country not in NONE", ALL),
    (r"age in SMALL", NOBODY),
    (r"age not in SMALL", ALL),  # 3 (missing age) included
    (r"age in [0, 17]", {2, 6}),
    # a run of whole numbers is compiled as a range
    (r"age in [30, 31, 32, 33, 34]", {1, 5}),
    (r"age not in [30, 31, 32, 33, 34]", {2, 3, 4, 6, 7}),
    (r"age in [34, 33, 32, 31, 30, 30]", {1, 5}),
    (r"age in [17, 18]", {2}),
    (r"weekday(signup_at) in [6, 7]", {6}),
    (r"weekday(signup_at) in [1, 2, 3]", {1, 2, 4, 5, 7}),
    (r"age not in [0, 17]", {1, 3, 4, 5, 7}),
    (r"age in []", NOBODY),
    (r"age not in []", ALL),  # 3's age is missing, and still: everyone
    (r"email not in []", ALL),  # 3's email is missing
    (r"income in [0, 52000.5]", {1, 2}),
    (r"score in [-1.25, 0]", {2, 4}),
    (r"score in [7.5, 10]", {1, 6}),
    (r"age in [34.0]", {1}),
    (r'email in ["", "  "]', {2, 6}),
    (r'email not in ["", "  "]', {1, 3, 4, 5, 7}),
    (r"birth_date in [1991-01-05, 2008-02-29]", {1, 2}),
    (r"consent in [true]", {1, 4, 7}),
    (r"consent not in [true]", {2, 3, 5, 6}),
    # ---- between / not between (inclusive) ------------------------------------------------
    (r"age between 17 and 34", {1, 2, 5}),
    (r"age not between 17 and 34", {3, 4, 6, 7}),  # 3 included: not (between)
    (r"income between 0 and 30000", {2, 5}),
    (r"score between -1.25 and 3", {2, 4, 5}),
    (r"score between -2 and -1", {4}),
    (r"age BETWEEN 17 AND 34", {1, 2, 5}),
    (r"age between score and 40", {1, 2, 5}),  # bounds from fields; 6: 0 < 10
    # ---- is null / is set -----------------------------------------------------------------
    (r"email is null", {3}),
    (r"email is not null", {1, 2, 4, 5, 6, 7}),
    (r"email is set", {1, 4, 5, 6, 7}),  # "" is not set; "  " is not empty, so set
    (r"email is not set", {2, 3}),
    (r"name is set", {1, 2, 3, 4, 5, 7}),
    (r"country is not set", {6}),
    (r"age is null", {3}),
    (r"age is set", {1, 2, 4, 5, 6, 7}),  # 0 is set
    (r"income is set", {1, 2, 4, 5, 6, 7}),
    (r"score is not set", {3}),
    (r"consent is null", {3, 5}),
    (r"consent is not null", {1, 2, 4, 6, 7}),
    (r"consent is set", {1, 2, 4, 6, 7}),  # false is set
    (r"consent is not set", {3, 5}),
    (r"birth_date is not set", {3}),
    (r"signup_at is set", {1, 2, 4, 5, 6, 7}),
    (r"location is null", {3, 6}),  # a geo value is missing when its coordinates are
    (r"location is set", {1, 2, 4, 5, 7}),
    (r"email IS NOT NULL", {1, 2, 4, 5, 6, 7}),
    # ---- contains -------------------------------------------------------------------------
    (r'name contains "n"', {1, 3}),  # Anna, O'Brien
    (r'name contains "a"', {1, 5}),
    (r'name contains "A"', {1}),
    (r'name contains "A" ignoring case', {1, 5}),
    (r'name contains "émile" ignoring case', {2}),
    (r'name not contains "a"', {2, 3, 4, 6, 7}),
    (r'name not contains "A" ignoring case', {2, 3, 4, 6, 7}),
    (r'name contains "--"', {4}),
    (r'name contains "/*"', {4}),
    (r'''name contains "'"''', {3}),
    (r'name contains "\""', {3}),
    (r'name contains "\\"', {5}),
    (r'name contains "%"', NOBODY),  # not a wildcard
    (r'name contains "_"', NOBODY),  # not a wildcard
    (r'name contains "_" ignoring case', NOBODY),
    (r'name contains "%" ignoring case', NOBODY),
    (r'name contains ""', ALL),  # every string contains the empty string
    (r'email contains "example"', {1, 7}),
    (r'email contains "example" ignoring case', {1, 4, 7}),
    (r'email not contains "example"', {2, 3, 4, 5, 6}),  # 3 (missing) included
    (r'email not contains "EXAMPLE" ignoring case', {2, 3, 5, 6}),
    (r'city contains "ü"', {7}),
    (r'city contains "MÜNCHEN" ignoring case', {7}),
    (r'name CONTAINS "a" IGNORING CASE', {1, 5}),
    # ---- starts with / ends with ----------------------------------------------------------
    (r'name starts with "A"', {1}),
    (r'name starts with "a"', NOBODY),
    (r'name starts with "a" ignoring case', {1}),
    (r'''name starts with "O'"''', {3}),
    (r'name starts with "%"', NOBODY),
    (r'name starts with "_"', NOBODY),
    (r'name starts with "%" ignoring case', NOBODY),
    (r'name ends with "_" ignoring case', NOBODY),
    (r'name starts with ""', ALL),
    (r'name not starts with "A"', {2, 3, 4, 5, 6, 7}),
    (r'email starts with "b" ignoring case', {5}),
    (r'email not starts with "z" ignoring case', {1, 2, 3, 5, 6, 7}),
    (r'email starts with " "', {6}),
    (r'city starts with "m" ignoring case', {7}),
    (r'email ends with ".org"', {4}),
    (r'email ends with ".ORG"', NOBODY),
    (r'email ends with ".ORG" ignoring case', {4}),
    (r'email ends with "example.com"', {1}),
    (r'email not ends with ".com"', {2, 3, 4, 5, 6, 7}),
    (r'name ends with "*/"', {4}),
    (r'name ends with "slash"', {5}),
    (r'name ends with ""', ALL),
    (r'city ends with "chen"', {7}),
    # ---- like (% any run, _ one character) ------------------------------------------------
    (r'name like "A%"', {1}),
    (r'name like "a%"', NOBODY),
    (r'name like "a%" ignoring case', {1}),
    (r'name like "%a%"', {1, 5}),
    (r'name not like "%a%"', {2, 3, 4, 6, 7}),
    (r'name like "_nna"', {1}),
    (r'name like "__"', {7}),  # two characters, not two bytes
    (r'name like ""', {6}),
    (r'name like "%"', ALL),
    (r'name like "Zo%*/"', {4}),
    (r'''name like "O'Brien \"Bob\""''', {3}),
    (r'name like "ÉMILE" ignoring case', {2}),
    (r'email like "%@%.%"', {1, 4, 5, 7}),
    (r'email not like "%@%"', {2, 3, 6}),
    # ---- matches: RE2, unanchored search --------------------------------------------------
    (r'name matches "nn"', {1}),  # unanchored
    (r'name matches "^A"', {1}),
    (r'name matches "a$"', {1}),
    (r'name matches "^$"', {6}),
    (r'name matches ""', ALL),
    (r'name matches "(?i)^anna$"', {1}),
    (r'name matches "^anna$" ignoring case', {1}),
    (r'name matches "(?i)émile"', {2}),
    (r'name matches "ÉMILE" ignoring case', {2}),
    (r'name matches "(?m)^Anna$"', {1}),
    (r'name matches "(?s)^A.*a$"', {1}),
    (r'name matches "^[[:alpha:]]+$"', {1}),  # POSIX classes are ASCII in RE2: not Émile
    (r'name matches "\\bBob\\b"', {3}),  # regex \bBob\b
    (r'name matches "\\bob\\b"', NOBODY),  # "Bob": no word boundary between B and o
    (r'name matches "^.{2}$"', {7}),  # characters, not bytes
    (r'name matches "\\\\"', {5}),  # regex \\ : a backslash
    (r'name matches "--|/\\*"', {4}),
    (r'name not matches "a"', {2, 3, 4, 6, 7}),
    (r'email matches "^[a-z]+@example\\.(com|cn)$"', {1, 7}),
    (r'email matches "EXAMPLE" ignoring case', {1, 4, 7}),
    (r'email not matches "@"', {2, 3, 6}),
    (r'city matches "(?i)^m"', {7}),
    # ---- and / or / not: precedence and parentheses ---------------------------------------
    (r'country = "FR" or country = "DE" and age > 40', {2}),  # FR or (DE and > 40)
    (r'(country = "FR" or country = "DE") and age > 20', {1}),
    (r'not country = "DE" and age > 18', {4, 5, 7}),  # (not DE) and > 18
    (r'not (country = "DE" and age > 18)', {2, 3, 4, 5, 6, 7}),
    (r"not age > 18 or consent", {1, 2, 3, 4, 6, 7}),  # (not > 18) or consent
    (r"not (age > 18 or consent)", {2, 3, 6}),
    (r'NOT consent AND age > 10 OR name = "Anna"', {1, 2, 5}),
    (r'not (country = "DE" or country = "FR")', {3, 4, 5, 6, 7}),
    ('age > 18\n  and consent  # adults who agreed\n  or country = "FR"', {1, 2, 4, 7}),
    (r"age > 60 # a comment ends the line", {4}),
    (r'name != "# not a comment" and age > 60', {4}),  # `#` inside a string is text
    # ---- missing values everywhere --------------------------------------------------------
    (r"age = age", {1, 2, 4, 5, 6, 7}),
    (r"age != age", {3}),
    (r"consent = consent", {1, 2, 4, 6, 7}),
    (r"consent != consent", {3, 5}),
    (r"email = email", {1, 2, 4, 5, 6, 7}),
    (r"age > 18 or age <= 18", {1, 2, 4, 5, 6, 7}),
    (r"not (age > 18 or age <= 18)", {3}),
    (r"coalesce(age, 0) = 0", {3, 6}),
    (r'coalesce(email, "none") = "none"', {3}),
    (r'''coalesce(email, name) = "O'Brien \"Bob\""''', {3}),
    (r"coalesce(null, age) = 34", {1}),
    (r"not coalesce(consent, true)", {2, 6}),
    (r"coalesce(age / 0, -1) = -1", ALL),  # division by zero is missing
    (r"coalesce(consent, false)", {1, 4, 7}),
    # if: a condition that is *no* because of a missing value takes the else branch
    (r'if(age >= 18, "adult", "minor") = "minor"', {2, 3, 6}),
    (r"if(consent, 1, 0) = 0", {2, 3, 5, 6}),
    (r"if(age > 30, income, score) > 100", {1, 4, 7}),
    (r"if(consent, age > 40, age < 20)", {2, 4, 6, 7}),  # 3: age < 20 with no age → no
    # a chain of ifs compared with a constant becomes its conditions
    (
        r'if(age >= 65, "65+", if(age >= 35, "35-64", if(age >= 18, "18-34", "unknown"))) '
        r'= "35-64"',
        {7},
    ),
    (
        r'if(age >= 65, "65+", if(age >= 35, "35-64", if(age >= 18, "18-34", "unknown"))) '
        r'= "unknown"',
        {2, 3, 6},
    ),  # 3: no age fails every condition
    (
        r'if(age >= 65, "65+", if(age >= 35, "35-64", if(age >= 18, "18-34", "unknown"))) '
        r'= "18-34"',
        {1, 5},
    ),
    (
        r'if(age >= 65, "65+", if(age >= 35, "35-64", if(age >= 18, "18-34", "unknown"))) '
        r'in ["65+", "unknown"]',
        {2, 3, 4, 6},
    ),
    (
        r'if(age >= 65, "65+", if(age >= 35, "35-64", if(age >= 18, "18-34", "unknown"))) '
        r'!= "18-34"',
        {2, 3, 4, 6, 7},
    ),
    (r'if(age >= 65, "65+", "other") = "none"', NOBODY),
    (r'if(age >= 65, "old", if(age < 18, "young", "mid")) = "mid"', {1, 3, 5, 7}),
    (r'if(consent, "yes", "no") = "no"', {2, 3, 5, 6}),
    (r"if(age >= 18, 1, 0) = 1", {1, 4, 5, 7}),
    # ---- functions over strings and numbers -----------------------------------------------
    (r'lower(name) = "anna"', {1}),
    (r'upper(name) = "ÉMILE"', {2}),
    (r'lower(email) = "zoe@example.org"', {4}),
    (r'upper(country) = "DE"', {1, 7}),
    (r'upper(name) = "ZOË -- ; /* X */"', {4}),
    (r'lower(city) = "münchen"', {7}),
    (r"length(name) = 0", {6}),
    (r"length(name) = 2", {7}),  # characters, not bytes
    (r"length(name) = 5", {2}),
    (r"length(name) = 10", {5}),
    (r"length(name) = 16", {4}),
    (r"length(email) = 2", {6}),
    (r"length(email) is null", {3}),
    (r"abs(score) = 1.25", {4}),
    (r"abs(income) = 10", {6}),
    (r"abs(score) > 5", {1, 6, 7}),
    (r"abs(age - 40) <= 6", {1, 7}),
    (r"round(score) = 8", {1}),
    (r"round(score) = -1", {4}),
    (r"round(income) = 75000", {7}),
    (r"round(income) = 52001", {1}),  # 52000.50: half away from zero
    (r"round(score, 1) = 5.5", {7}),
    # ---- distance_km (haversine; Berlin–Munich ≈ 504 km, Berlin–Vienna ≈ 524 km) ----------
    (r"distance_km(location, 52.52, 13.405) < 1", {1}),
    (r"distance_km(location, 52.52, 13.405) < 600", {1, 4, 7}),
    (r"distance_km(location, 52.52, 13.405) < 514", {1, 7}),
    (r"distance_km(location, 48.8566, 2.3522) < 400", {2, 5}),  # Paris–London ≈ 344 km
    (r"distance_km(location, 48.8566, 2.3522) between 300 and 400", {5}),
    (r"distance_km(location, 48.2082, 16.3738) < 0.001", {4}),
    (r"distance_km(location, 0, 0) >= 0", {1, 2, 4, 5, 7}),  # 3, 6 have no location
    # `< r` and `<= r` get a latitude/longitude box in front (semantics._near): same members
    (r"distance_km(location, 51.5074, -0.1278) <= 0.001", {5}),  # London: a negative longitude
    (r"distance_km(location, 48.1351, 11.582) <= 504", {4, 7}),  # Berlin is ≈ 504.4 km off
    (r"distance_km(location, 48.1351, 11.582) <= 505", {1, 4, 7}),  # Munich–Vienna ≈ 355 km
    (r"distance_km(location, 89.9, 0) < 5000", {1, 2, 4, 5, 7}),  # a box would reach the pole
    (r"distance_km(location, 48.8566, 179.99) < 100", set()),  # one would cross the antimeridian
    # ---- traits ---------------------------------------------------------------------------
    (r"adult", {1, 4, 5, 7}),
    (r"not adult", {2, 3, 6}),
    (r"adult = true", {1, 4, 5, 7}),
    # `adult` is a condition, so it is no (false) for 3, whose age is missing
    (r"adult = false", {2, 3, 6}),
    (r"adult = consent", {1, 2, 4, 6, 7}),  # 3, 5: consent missing
    (r"adult and consent", {1, 4, 7}),
    (r"inactive_days > 30", {4, 6}),  # 1, 30, -, 365, 30, 61, 7
    (r"inactive_days >= 30", {2, 4, 5, 6}),
    (r"inactive_days = 365", {4}),
    (r"inactive_days between 1 and 7", {1, 7}),
    (r"inactive_days is null", {3}),
    (r"inactive_days + 1 = 2", {1}),
    # ---- multi-valued: tag ----------------------------------------------------------------
    (r'tag = "vip"', {1, 4}),
    (r'tag = "awaits-sale"', {1, 2}),
    (r'tag = "Awaits-Sale"', {5}),
    (r'tag = ""', {4}),
    (r'tag != "vip"', {2, 3, 5, 6, 7}),  # no value is "vip": customers without tags too
    (r'tag != "awaits-sale"', {3, 4, 5, 6, 7}),
    (r'tag != ""', {1, 2, 3, 5, 6, 7}),
    (r'not tag = "vip"', {2, 3, 5, 6, 7}),
    (r'tag in ["vip", "student"]', {1, 4, 7}),
    (r'tag not in ["vip", "student"]', {2, 3, 5, 6}),
    (r"tag in []", NOBODY),
    (r"tag not in []", ALL),
    (r'tag = "vip" and tag = "awaits-sale"', {1}),  # two values of one customer
    (r'tag = "vip" and not tag = "awaits-sale"', {4}),
    (r'tag = "vip" or country = "FR"', {1, 2, 4}),
    # a value compared with the customer's own fields
    (r"length(tag) > age / 10", {1, 2, 5, 7}),  # 4: "vip" and "" are shorter than 6.5
    (r"name contains tag", {4}),  # 4's "" is in every name
    (r'tag = city or tag = "student"', {7}),
    (r'tag != "vip" and tag != "student"', {2, 3, 5, 6}),
    (r"count(tag) = 0", {3, 6}),
    (r"count(tag) = 1", {2, 5}),
    (r"count(tag) = 2", {1, 4, 7}),  # 4: "vip" and "" are two distinct values
    (r"count(tag) >= 1", {1, 2, 4, 5, 7}),
    (r"count(tag) > 0", {1, 2, 4, 5, 7}),  # these five ask only whether some value exists
    (r"0 < count(tag)", {1, 2, 4, 5, 7}),
    (r"count(tag) != 0", {1, 2, 4, 5, 7}),
    (r"count(tag) < 1", {3, 6}),
    (r"count(tag) <= 0", {3, 6}),
    (r"tag is set", {1, 2, 4, 5, 7}),
    (r"tag is not set", {3, 6}),
    (r'tag contains "sale"', {1, 2}),
    (r'tag contains "SALE" ignoring case', {1, 2, 5}),
    (r'tag not contains "sale" ignoring case', {3, 4, 6, 7}),  # no value contains it
    (r'tag not contains "sale"', {3, 4, 5, 6, 7}),
    # 6's only tag row holds NULL: no value, like 3
    (r"tag is null", {3, 6}),
    (r"tag is not null", {1, 2, 4, 5, 7}),
    (r'tag starts with "awaits"', {1, 2}),
    (r'tag ends with "t"', {7}),
    (r'tag like "%sale" ignoring case', {1, 2, 5}),
    (r'tag matches "^v"', {1, 4}),
    (r'tag like ""', {4}),
    (r'tag matches "^$"', {4}),  # 6's NULL value is no value
    (r'tag not like "%"', {3, 6}),  # no value at all; 4's "" is a value
    (r'tag != "vip" or tag = "vip"', ALL),
    # 6's NULL row is no value, so there is nothing for coalesce to replace (found by
    # tests/test_properties.py: the SQL once took the NULL row as a value)
    (r'coalesce(tag, "none") = "none"', NOBODY),
    (r'length(coalesce(tag, "none")) = 4', NOBODY),
    # ---- date field (compared by dates everywhere) ----------------------------------------
    (r"birth_date = 1991-01-05", {1}),
    (r"birth_date < 1990-01-01", {4, 7}),
    (r"birth_date >= 2000-01-07", {2, 6}),
    (r"birth_date > 2000-01-07", {2}),
    (r"birth_date != 1991-01-05", {2, 3, 4, 5, 6, 7}),
    (r"birth_date between 1980-06-15 and 1995-12-31", {1, 5, 7}),
    (r"birth_date not between 1980-06-15 and 1995-12-31", {2, 3, 4, 6}),
    (r"birth_date before 1990-01-01", {4, 7}),
    (r"birth_date after 2000-01-07", {2}),  # strict
    (r"birth_date before 2000-01-07", {1, 4, 5, 7}),  # strict
    # a timestamp bound on a date is taken by its date
    (r"birth_date = 1991-01-05T10:00:00", {1}),
    (r"birth_date < 2000-01-07T12:00:00", {1, 4, 5, 7}),  # 6 (2000-01-07) is not before
    (r"birth_date between 1991-01-05T12:00:00 and 1995-12-31T00:00:00", {1, 5}),
    (r"birth_date before today", {1, 2, 4, 5, 6, 7}),
    (r"birth_date < now", {1, 2, 4, 5, 6, 7}),
    # N days/years ago is an instant; a date compares with its date (1995-12-31 for 30 years)
    (r"birth_date before 30 years ago", {1, 4, 7}),  # 5 (1995-12-31) is that very date
    (r"birth_date <= 30 years ago", {1, 4, 5, 7}),
    (r"birth_date = 30 years ago", {5}),
    (r"birth_date after 20 years ago", {2}),
    (r"birth_date within 30 days", NOBODY),
    (r"year(birth_date) = 2008", {2}),
    (r"month(birth_date) = 1", {1, 4, 6}),
    (r"month(birth_date) = 2 and year(birth_date) = 2008", {2}),
    (r"weekday(birth_date) = 7", {4, 5, 7}),  # Sundays: 1960-01-03, 1995-12-31, 1980-06-15
    (r"weekday(birth_date) = 6", {1}),  # Saturday 1991-01-05
    (r"weekday(birth_date) = 5", {2, 6}),
    (r"days_since(birth_date) = 10958", {5}),  # 1995-12-31 → 2025-12-31
    (r"days_since(birth_date) > 20000", {4}),
    (r"date(birth_date) = 1991-01-05", {1}),
    # ---- next_anniversary (birthdays); as of 2025-12-31 ------------------------------------
    (r"next_anniversary(birth_date) = today", {5}),  # birthday today: this year's, not next
    (r"next_anniversary(birth_date) = 2026-01-05", {1}),
    (r"next_anniversary(birth_date) = 2026-06-15", {7}),
    # 2026 has no Feb 29: SPEC is silent on Feb 28 vs Mar 1, so either is accepted
    (r"next_anniversary(birth_date) between 2026-02-28 and 2026-03-01", {2}),
    # a date window runs from as of's date to the date 7 days later, both included
    (r"next_anniversary(birth_date) within next 7 days", {1, 4, 5, 6}),
    (r"next_anniversary(birth_date) within next 6 days", {1, 4, 5}),  # 6 is on the 7th day
    (r"next_anniversary(birth_date) within 1 day", {5}),
    (r"next_anniversary(birth_date) <= today + 7 days", {1, 4, 5, 6}),
    (r"next_anniversary(birth_date) within next 6 months", {1, 2, 4, 5, 6, 7}),  # to 06-30
    (r"next_anniversary(birth_date) within next 5 months", {1, 2, 4, 5, 6}),  # to 05-31
    # ---- timestamps compared with dates: by the date --------------------------------------
    (r"signup_at = 2025-12-24", {7}),
    (r"last_seen_at = 2025-12-24", {7}),  # 23:59:59 is still that day
    (r"signup_at != 2025-12-24", {1, 2, 3, 4, 5, 6}),
    (r"signup_at before 2025-12-01", {1, 4, 6}),  # ends at the day's start: 2 is 00:00 sharp
    (r"signup_at after 2025-12-01", {5, 7}),  # after the whole day: not 2
    (r"signup_at < 2025-12-01", {1, 4, 6}),
    (r"signup_at <= 2025-12-01", {1, 2, 4, 6}),
    (r"signup_at > 2025-11-30", {2, 5, 7}),  # 6 (11-30 23:59:59.999999) is that day
    (r"signup_at >= 2025-11-30", {2, 5, 6, 7}),
    (r"last_seen_at <= 2025-12-24", {2, 4, 5, 6, 7}),  # takes the whole 24th
    (r"last_seen_at < 2025-12-24", {2, 4, 5, 6}),
    (r"last_seen_at before 2025-12-01", {4, 6}),
    (r"last_seen_at after 2025-12-24", {1}),
    (r"last_seen_at between 2025-12-01 and 2025-12-24", {2, 5, 7}),  # the whole of the 24th
    (r"signup_at between 2025-12-01 and 2025-12-24", {2, 7}),
    (r"signup_at not between 2025-12-01 and 2025-12-24", {1, 3, 4, 5, 6}),
    (r"signup_at between 2025-12-31 and 2025-12-31", {5}),
    (r"last_seen_at between 2025-12-24 and now", {1, 7}),
    (r"2025-12-24 < signup_at", {5}),  # literal on the left: by date too
    (r"now > 2025-12-31", NOBODY),  # now is on 2025-12-31, not after it
    (r"now >= 2025-12-31", ALL),
    (r"now = 2025-12-31", ALL),
    (r"signup_at in [2025-12-24, 2025-12-01]", {2, 7}),  # membership is equality: by date
    (r"signup_at not in [2025-12-24]", {1, 2, 3, 4, 5, 6}),
    (r"signup_at between 2025-12-01 and 2025-12-24T00:00:00", {2, 7}),
    (r"last_seen_at between 2025-12-01T12:00:00 and 2025-12-24", {2, 5, 7}),
    # a value of type date (today, date(t), a date field) is compared by dates everywhere
    (r"today < 2025-12-31T13:00:00", NOBODY),
    (r"today = 2025-12-31T13:00:00", ALL),
    (r"date(signup_at) = signup_at", {1, 2, 4, 5, 6, 7}),
    (r"date(last_seen_at) >= last_seen_at", {1, 2, 4, 5, 6, 7}),
    (r"last_seen_at > date(signup_at)", {1, 4}),  # 2 and 7: the same day, not after it
    (r"birth_date < signup_at", {1, 2, 4, 5, 6, 7}),
    # ---- timestamps compared with timestamps ----------------------------------------------
    (r"signup_at = 2025-12-24T00:00:00", {7}),
    (r"signup_at = 2025-12-24T00:00", {7}),
    (r"last_seen_at = 2025-12-24T23:59:59", {7}),
    (r"signup_at = 2025-11-30T23:59:59.999999", {6}),
    (r"signup_at > 2025-11-30T23:59:59", {2, 5, 6, 7}),  # .999999 is later
    (r"signup_at between 2025-12-01T00:00:00 and 2025-12-24T00:00:00", {2, 7}),  # inclusive
    (r"last_seen_at between 2025-12-01T00:00:00 and 2025-12-24T00:00:00", {2, 5}),
    (r"last_seen_at before 2025-12-24T23:59:59", {2, 4, 5, 6}),  # strict
    (r"last_seen_at after 2025-12-24T23:59:58", {1, 7}),
    (r"last_seen_at = signup_at", NOBODY),
    (r"last_seen_at > signup_at", {1, 2, 4, 7}),  # 6 was last seen before signing up
    (r"date(last_seen_at) = date(signup_at)", {2, 7}),
    (r"date(signup_at) = 2025-11-30", {6}),
    # ---- now, today, N units ago ----------------------------------------------------------
    (r"signup_at = now", {5}),
    (r"signup_at >= now", {5}),
    (r"signup_at < now", {1, 2, 4, 6, 7}),
    (r"signup_at = today", {5}),
    (r"last_seen_at < today", {1, 2, 4, 5, 6, 7}),
    (r"today = 2025-12-31", ALL),
    (r"now = 2025-12-31T12:00:00", ALL),
    (r"hour(now) = 12 and weekday(today) = 3", ALL),  # as of is a Wednesday, noon
    (r"last_seen_at after 1 day ago", {1}),
    (r"1 day ago < last_seen_at", {1}),
    (r"last_seen_at after 7 days ago", {1, 7}),
    (r"signup_at after 7 days ago", {5}),  # 7 signed up at 12-24 00:00, before 12:00
    (r"signup_at before 30 days ago", {1, 2, 4, 6}),
    (r"last_seen_at before 30 days ago", {4, 6}),  # 2, 5 are exactly 30 days ago
    (r"last_seen_at after 30 days ago", {1, 7}),  # strict
    (r"last_seen_at = 30 days ago", {2, 5}),
    (r"last_seen_at >= 30 days ago", {1, 2, 5, 7}),
    (r"last_seen_at between 30 days ago and now", {1, 2, 5, 7}),
    (r"signup_at between 30 days ago and now", {5, 7}),  # 2 is 12-01 00:00, before 12:00
    (r"last_seen_at after 18 hours ago", NOBODY),  # 1 is exactly 18 hours ago
    (r"last_seen_at >= 18 hours ago", {1}),
    (r"last_seen_at > now - 1 day", {1}),
    (r"last_seen_at + 1 day > now", {1}),
    (r"date(last_seen_at) = today - 1 day", {1}),
    (r"last_seen_at >= today - 7 days", {1, 7}),  # today − 7 days is the date 2025-12-24
    (r"last_seen_at >= now - 2 months", {1, 2, 5, 6, 7}),  # from 2025-10-31 12:00
    (r"last_seen_at after 1 week ago", {1, 7}),
    (r"last_seen_at after 1 month ago", {1, 2, 5, 7}),  # after 2025-11-30 12:00
    (r"signup_at before 2 years ago", {1, 4}),  # before 2023-12-31 12:00
    (r"signup_at after 15 minutes ago", {5}),
    (r"signup_at after 6 hours ago", {5}),
    # ---- within [last] / within next: inclusive windows ending / starting at as of --------
    (r"last_seen_at within 1 day", {1}),
    (r"last_seen_at within last 7 days", {1, 7}),
    (r"last_seen_at within 7 day", {1, 7}),  # singular or plural
    (r"last_seen_at within 30 days", {1, 2, 5, 7}),  # 2, 5: exactly at the start
    (r"last_seen_at within 29 days", {1, 7}),
    (r"signup_at within 0 days", {5}),
    (r"signup_at within 1 minute", {5}),
    (r"signup_at within 15 minutes", {5}),
    (r"last_seen_at within 18 hours", {1}),  # exactly at the start
    (r"last_seen_at within 17 hours", NOBODY),
    (r"last_seen_at within 1080 minutes", {1}),
    (r"last_seen_at within 1079 minutes", NOBODY),
    (r"last_seen_at within 1 week", {1, 7}),
    (r"last_seen_at within 5 weeks", {1, 2, 5, 7}),
    (r"last_seen_at within 1 month", {1, 2, 5, 7}),  # from 2025-11-30 12:00
    (r"last_seen_at within 2 months", {1, 2, 5, 6, 7}),  # from 2025-10-31 12:00: 6 exactly
    (r"last_seen_at within 1 year", {1, 2, 4, 5, 6, 7}),  # from 2024-12-31 12:00: 4 exactly
    (r"signup_at within last 1 month", {2, 5, 6, 7}),
    (r"signup_at within 2 years", {2, 5, 6, 7}),
    (r"signup_at within 3 years", {1, 2, 5, 6, 7}),
    (r"signup_at within next 7 days", {5}),  # as of itself is the window's start
    (r"last_seen_at within next 1 day", NOBODY),
    (r"signup_at WITHIN LAST 7 DAYS", {5}),  # from 12-24 12:00: 7 (12-24 00:00) is out
    (r"last_seen_at AFTER 7 DAYS AGO", {1, 7}),
    (r'name Starts With "A" Ignoring Case', {1}),
    (r"email Is Not Set", {2, 3}),
    (r"date(last_seen_at) within 7 days", {1, 7}),  # a date: from the date 2025-12-24
    (r"date(last_seen_at) within 30 days", {1, 2, 5, 7}),
    (r"date(last_seen_at) within 61 days", {1, 2, 5, 6, 7}),
    (r"date(last_seen_at) within 2 months", {1, 2, 5, 6, 7}),  # from the date 2025-10-31
    # ---- time functions -------------------------------------------------------------------
    (r"hour(last_seen_at) = 12", {2, 4, 5, 6}),
    (r"hour(last_seen_at) = 23", {7}),
    (r"hour(signup_at) = 0", {2, 4, 7}),
    (r"hour(signup_at) = 23", {6}),
    (r"weekday(last_seen_at) = 1", {2, 5}),  # Mondays
    (r"weekday(last_seen_at) = 2", {1, 4}),
    (r"weekday(last_seen_at) = 5", {6}),
    (r"weekday(signup_at) = 3", {1, 4, 5, 7}),  # Wednesdays
    (r"weekday(signup_at) = 7", {6}),  # Sunday is 7, not 0
    (r"month(signup_at) = 12", {2, 5, 7}),
    (r"month(signup_at) = 11", {6}),
    (r"year(last_seen_at) = 2024", {4}),
    (r"year(signup_at) < 2025", {1, 4}),
    (r"days_since(last_seen_at) = 30", {2, 5}),
    (r"days_since(last_seen_at) = 365", {4}),
    (r"days_since(last_seen_at) = 61", {6}),
    (r"days_since(signup_at) = 0", {5}),
    (r"days_since(signup_at) between 0 and 31", {2, 5, 6, 7}),
    (r"days_since(today) = 0", ALL),
    # calendar days between date(t) and date(as of): 12-30 18:00 → 12-31 12:00 is 1 day
    # (see the report: SPEC's wording "whole days elapsed" would give 0 and 6 here)
    (r"days_since(last_seen_at) = 1", {1}),
    (r"days_since(last_seen_at) = 7", {7}),
    (r"days_since(signup_at) = 31", {6}),
    # year() and days_since() against a number become ranges of the time itself
    (r"days_since(last_seen_at) > 30", {4, 6}),
    (r"days_since(last_seen_at) >= 30", {2, 4, 5, 6}),
    (r"days_since(last_seen_at) < 7", {1}),
    (r"days_since(last_seen_at) <= 7", {1, 7}),
    (r"days_since(last_seen_at) != 30", {1, 3, 4, 6, 7}),
    (r"inactive_days > 30", {4, 6}),
    (r"days_since(signup_at) < 31", {2, 5, 7}),
    (r"days_since(signup_at) >= 31", {1, 4, 6}),  # 6: 11-30 23:59:59.999999
    (r"days_since(birth_date) <= 10958", {2, 5, 6}),
    (r"year(birth_date) between 1991 and 2000", {1, 5, 6}),
    (r"year(birth_date) > 1995", {2, 6}),
    (r"year(birth_date) <= 1995", {1, 4, 5, 7}),
    (r"year(birth_date) < 1991", {4, 7}),
    (r"year(birth_date) >= 2008", {2}),
    (r"year(birth_date) != 1995", {1, 2, 3, 4, 6, 7}),
    (r"year(signup_at) >= 2025", {2, 5, 6, 7}),
    (r"year(signup_at) > 2024", {2, 5, 6, 7}),
    (r"year(signup_at) <= 2023", {1, 4}),
    (r"year(last_seen_at) = 2025", {1, 2, 5, 6, 7}),
]

# Cases that need another *as of*: (as of, rule, expected).
AS_OF_CASES: list[Any] = [
    # 2025-12-20 12:00: customer 7 signs up in the future (2025-12-24 00:00)
    (dt.datetime(2025, 12, 20, 12), r"signup_at within next 4 days", {7}),
    (dt.datetime(2025, 12, 20, 12), r"signup_at within next 84 hours", {7}),  # end, exactly
    (dt.datetime(2025, 12, 20, 12), r"signup_at within next 83 hours", NOBODY),
    (dt.datetime(2025, 12, 20, 12), r"last_seen_at within next 4 days", NOBODY),  # 23:59:59
    (dt.datetime(2025, 12, 20, 12), r"signup_at after now", {5, 7}),
    # from 11-20 12:00: 2 and 6; 5 and 7 are in the future
    (dt.datetime(2025, 12, 20, 12), r"signup_at within 30 days", {2, 6}),
    (dt.datetime(2025, 12, 20, 12), r"days_since(signup_at) = 19", {2}),
    # a date field's window is by dates: as of's own date counts, whatever the hour
    (dt.datetime(1991, 1, 5, 23), r"birth_date within next 7 days", {1}),
    (dt.datetime(1991, 1, 5, 23), r"birth_date = today", {1}),
    (dt.datetime(1996, 1, 7, 23), r"birth_date within 7 days", {5}),  # from 1995-12-31
    (dt.datetime(1996, 1, 7, 23), r"birth_date within 6 days", NOBODY),
    (dt.datetime(2008, 3, 15, 12), r"birth_date within 30 days", {2}),
    # Feb 29 birthdays in a leap year: the anniversary is Feb 29 itself
    (dt.datetime(2027, 12, 31, 12), r"next_anniversary(birth_date) = 2028-02-29", {2}),
    (dt.datetime(2028, 2, 29, 8), r"next_anniversary(birth_date) = today", {2}),
    (dt.datetime(2028, 2, 29, 8), r"next_anniversary(birth_date) = 2029-01-05", {1}),
    # as of moves every relative time: inactive_days as of 2026-01-30 12:00
    (dt.datetime(2026, 1, 30, 12), r"inactive_days > 30", {1, 2, 4, 5, 6, 7}),  # 1: 31, 7: 37
    (dt.datetime(2026, 1, 30, 12), r"last_seen_at within 1 month", {1}),  # from 12-30 12:00
]


def negation(rule: str) -> str:
    """`not (rule)`, on its own lines so that a trailing `# comment` cannot swallow the `)`."""
    return f"not (\n{rule}\n)"


def rule_of(case: Any) -> str:
    values = case.values if hasattr(case, "values") else case
    return str(values[-2])


def ids(cases: Sequence[Any]) -> list[str]:
    return [rule_of(c).replace("\n", " ") for c in cases]


@pytest.fixture(scope="module")
def semantic_shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """A shop of this module's own, so that other modules' segment files cannot interfere."""
    return Shop(tmp_path_factory.mktemp("semantics"))


@pytest.fixture(scope="module")
def answers(semantic_shop: Shop) -> dict[tuple[dt.datetime, str], Any]:
    """Members of every rule and its negation, one run per *as of*."""
    by_as_of: dict[dt.datetime, list[str]] = {AS_OF: []}
    for case in CASES:
        by_as_of[AS_OF] += [rule_of(case), negation(rule_of(case))]
    for case in AS_OF_CASES:
        values = case.values if hasattr(case, "values") else case
        by_as_of.setdefault(values[0], []).extend([values[1], negation(values[1])])
    found: dict[tuple[dt.datetime, str], Any] = {}
    for as_of, rules in by_as_of.items():
        found.update(
            {
                (as_of, rule): members
                for rule, members in semantic_shop.members_many(rules, as_of).items()
            }
        )
    return found


def assert_members(
    answers: dict[tuple[dt.datetime, str], Any], as_of: dt.datetime, rule: str, expected: set[int]
) -> None:
    got = answers[as_of, rule]
    if isinstance(got, Exception):
        pytest.fail(f"the rule does not check or run:\n{got}")
    assert got == expected, f"members of: {rule}"
    assert answers[as_of, negation(rule)] == ALL - expected, f"members of: not ({rule})"


@pytest.mark.parametrize(("rule", "expected"), CASES, ids=ids(CASES))
def test_rule(answers: dict[tuple[dt.datetime, str], Any], rule: str, expected: set[int]) -> None:
    assert_members(answers, AS_OF, rule, expected)


@pytest.mark.parametrize(
    ("as_of", "rule", "expected"),
    AS_OF_CASES,
    ids=[f"{c[0]:%Y-%m-%dT%H} {c[1]}" for c in AS_OF_CASES],
)
def test_rule_as_of(
    answers: dict[tuple[dt.datetime, str], Any], as_of: dt.datetime, rule: str, expected: set[int]
) -> None:
    assert_members(answers, as_of, rule, expected)


# ---- segments referring to segments, and segmentations -----------------------------------

PROJECT_SEGMENTS = """\
segments:
  grown:
    where: adult
  eu:
    where: country in EU
  eu_grown:
    where: in segment eu and in segment grown
  not_eu:
    where: not in segment eu
  eu_grown_or_unknown:
    where: in segment eu_grown or email is null
  not_eu_grown_or_unknown:
    where: not (in segment eu_grown_or_unknown)
  minor_bucket:
    where: lifecycle = "minor"
  other_bucket:
    where: lifecycle = "other"
  not_eu_bucket:
    where: lifecycle != "eu"
  eu_or_adult_bucket:
    where: lifecycle in ["eu", "adult"]
  rich:
    where: tier = "rich"
  not_rich:
    where: tier != "rich"
segmentations:
  lifecycle:                       # first match wins
    - minor: age < 18              # 2 (17, though in the EU), 6 (0)
    - eu: in segment eu            # 1, 4 (2 already taken)
    - adult: adult                 # 5, 7
    - else: other                  # 3: no age, US
  tier:                            # no else
    - rich: income >= 75000        # 4, 7
    - poor: income <= 0            # 2, 6
"""

SEGMENT_EXPECTED = {
    "grown": {1, 4, 5, 7},
    "eu": {1, 2, 4},
    "eu_grown": {1, 4},
    "not_eu": {3, 5, 6, 7},
    "eu_grown_or_unknown": {1, 3, 4},
    "not_eu_grown_or_unknown": {2, 5, 6, 7},
    "minor_bucket": {2, 6},
    "other_bucket": {3},
    "not_eu_bucket": {2, 3, 5, 6, 7},
    "eu_or_adult_bucket": {1, 4, 5, 7},
    "rich": {4, 7},
    "not_rich": {1, 2, 3, 5, 6},
}


@pytest.fixture(scope="module")
def segment_result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    shop = Shop(tmp_path_factory.mktemp("segments"))
    shop.write_segments(PROJECT_SEGMENTS)
    return segdsl.load(shop.root).run(as_of=AS_OF)


def read_csv(result: Any, path: Path) -> list[dict[str, str]]:
    result.write(path)
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("name", "expected"), sorted(SEGMENT_EXPECTED.items()))
def test_segment_references_and_segmentations(
    segment_result: Any, name: str, expected: set[int]
) -> None:
    assert set(segment_result.members(name)) == expected


def test_segmentation_gives_each_customer_its_first_matching_bucket(
    segment_result: Any, tmp_path: Path
) -> None:
    rows = read_csv(segment_result, tmp_path / "buckets.csv")
    buckets = {int(row["customer_id"]): row["lifecycle"] for row in rows}
    assert buckets == {1: "eu", 2: "minor", 3: "other", 4: "eu", 5: "adult", 6: "minor", 7: "adult"}
    sizes = {s.bucket: s.members for s in segment_result.sizes() if s.name == "lifecycle"}
    assert sizes == {"eu": 2, "minor": 2, "adult": 2, "other": 1}


# ---- output files and the warehouse -------------------------------------------------------

OUTPUT_SEGMENTS = """\
segments:
  eu:
    where: country in EU
  grown:
    where: adult
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def output_shop(tmp_path: Path) -> Shop:
    shop = Shop(tmp_path / "project")
    shop.write_segments(OUTPUT_SEGMENTS)
    return shop


def test_csv_has_a_header_and_one_sorted_row_per_customer(
    output_shop: Shop, tmp_path: Path
) -> None:
    out = tmp_path / "members.csv"
    segdsl.load(output_shop.root).run(["eu", "grown"], as_of=AS_OF).write(out)
    # 3 is in neither segment: false, never an empty (NULL) cell
    assert out.read_text().splitlines() == [
        "customer_id,eu,grown",
        "1,true,true",
        "2,true,false",
        "3,false,false",
        "4,true,true",
        "5,false,true",
        "6,false,false",
        "7,false,true",
    ]


def test_csv_of_every_segment_parses_back(output_shop: Shop, tmp_path: Path) -> None:
    rows = read_csv(segdsl.load(output_shop.root).run(as_of=AS_OF), tmp_path / "all.csv")
    assert [int(r["customer_id"]) for r in rows] == sorted(EVERYONE)
    assert {int(r["customer_id"]) for r in rows if r["eu"] == "true"} == {1, 2, 4}
    assert {r["eu"] for r in rows} | {r["grown"] for r in rows} == {"true", "false"}


def test_parquet_matches_the_members(output_shop: Shop, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "members.parquet"
    result = segdsl.load(output_shop.root).run(["eu", "grown"], as_of=AS_OF)
    result.write(out)
    table = pq.read_table(out).to_pylist()
    assert [r["customer_id"] for r in table] == sorted(EVERYONE)
    assert {r["customer_id"] for r in table if r["grown"]} == set(result.members("grown"))
    assert all(isinstance(r["eu"], bool) for r in table)


def test_a_run_leaves_the_warehouse_untouched(output_shop: Shop, tmp_path: Path) -> None:
    warehouse = output_shop.root / "warehouse.duckdb"
    before = digest(warehouse)
    listing = sorted(p.name for p in output_shop.root.iterdir())
    project = segdsl.load(output_shop.root)
    for as_of in (AS_OF, dt.datetime(2020, 1, 1)):
        result = project.run(as_of=as_of)
        result.sizes()
        result.write(tmp_path / "out.csv")
        result.write(tmp_path / "out.parquet")
    del result
    assert digest(warehouse) == before
    assert sorted(p.name for p in output_shop.root.iterdir()) == listing  # no .wal beside it


def test_duckdb_table_replaces_only_its_own_table(output_shop: Shop, tmp_path: Path) -> None:
    import duckdb

    out = tmp_path / "results.duckdb"
    with duckdb.connect(str(out)) as connection:
        connection.execute("CREATE TABLE kept AS SELECT 42 AS answer")
        connection.execute("CREATE TABLE members AS SELECT 'stale' AS old")
    project = segdsl.load(output_shop.root)
    project.run(["eu", "grown"], as_of=AS_OF).write(out)
    project.run(["eu"], as_of=AS_OF).write(out, table='eu "only"')
    with duckdb.connect(str(out), read_only=True) as connection:
        assert connection.execute("SELECT * FROM kept").fetchall() == [(42,)]
        rows = connection.execute("SELECT * FROM members").fetchall()
        assert [r[0] for r in rows] == sorted(EVERYONE)  # sorted by key
        assert {r[0] for r in rows if r[1]} == {1, 2, 4}
        assert {r[0] for r in rows if r[2]} == {1, 4, 5, 7}
        assert [d[0] for d in connection.execute("SELECT * FROM members").description] == [
            "customer_id",
            "eu",
            "grown",
        ]
        only = connection.execute('SELECT customer_id FROM "eu ""only""" WHERE eu').fetchall()
        assert {r[0] for r in only} == {1, 2, 4}


def test_duckdb_output_is_never_the_warehouse(output_shop: Shop) -> None:
    warehouse = output_shop.root / "warehouse.duckdb"
    before = digest(warehouse)
    result = segdsl.load(output_shop.root).run(["eu"], as_of=AS_OF)
    with pytest.raises(segdsl.SegdslError) as raised:
        result.write(warehouse)
    assert raised.value.diagnostics[0].code == "E418"
    del result
    assert digest(warehouse) == before
