"""Quantities stated in speech, in canonical units, so "forty-nine dollars" = "$49" = "49元"-style
comparisons are value comparisons.

Families and their canonical unit: money (the currency's main unit; currencies are not told
apart, a centre quotes one), speed (Mbps; "M", "MB" and 兆 count as speed: broadband is sold by
speed), data (GB), date (month*100+day; the year is ignored), weekday (1 = Monday), clock (a
time of day in minutes after midnight), daypart (morning 1, afternoon 2, evening 3), percent,
time (a duration in minutes; business days count as days), mass (mg: a dose's strength),
count (a number of things; `unit` keeps the thing), and number (a bare number; it confirms a
value but never contradicts one). Chinese numerals the shared normaliser leaves as words
(before 盒, 粒, 毫克, 点 ...) are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from phrasebank.normalize import Normalized, normalize
from phrasebank.numerals import MONTHS, zh_number


class Family(StrEnum):
    MONEY = "money"
    SPEED = "speed"
    DATA = "data"
    DATE = "date"
    WEEKDAY = "weekday"
    CLOCK = "clock"
    DAYPART = "daypart"
    MASS = "mass"
    PERCENT = "percent"
    TIME = "time"
    COUNT = "count"
    NUMBER = "number"


@dataclass(frozen=True)
class Quantity:
    value: float
    family: Family
    unit: str = ""      # canonical unit (Mbps, GB, min ...) or, for a count, the thing counted
    text: str = ""      # the words as said, from the original text
    start: int = -1     # character offsets in the original text
    end: int = -1

    def same_kind(self, other: Quantity) -> bool:
        return self.family == other.family and (self.family != Family.COUNT or self.unit == other.unit)

    def equals(self, other: Quantity) -> bool:
        return self.same_kind(other) and abs(self.value - other.value) < 1e-6


NUM = r"(\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MONTHS = {m: i + 1 for i, m in enumerate(MONTHS)}
_MONTHS |= {m[:3]: i for m, i in list(_MONTHS.items())} | {"sept": 9}
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_END = r"(?![a-z])"
_TIME_UNITS = {"second": 1 / 60, "sec": 1 / 60, "minute": 1, "min": 1, "hour": 60, "hr": 60,
               "day": 1440, "week": 7 * 1440, "month": 30 * 1440, "year": 360 * 1440,
               "秒": 1 / 60, "分钟": 1, "小时": 60, "天": 1440, "日": 1440, "工作日": 1440,
               "周": 7 * 1440, "星期": 7 * 1440, "个月": 30 * 1440, "年": 360 * 1440}
_ZH_COUNT = "个台次张部条位项户人套盒粒片瓶包件支袋"
# A number the normaliser turned into digits, or a Chinese numeral it left as words.
ZNUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*)"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"\b(" + "|".join(_WEEKDAYS) + r")s?\b"
_ZH_WEEKDAYS = {c: i + 1 for i, c in enumerate("一二三四五六")} | {"日": 7, "天": 7} | {str(i): i for i in range(1, 8)}
_DAYPARTS = {"morning": 1, "afternoon": 2, "evening": 3, "上午": 1, "早上": 1, "下午": 2, "晚上": 3}


def _date(month: str, day: str) -> float | None:
    m = _MONTHS.get(month.rstrip("."), None) if not month.isdigit() else int(month)
    d = int(day)
    return float(m * 100 + d) if m and 1 <= m <= 12 and 1 <= d <= 31 else None


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _znum(text: str) -> float:
    return float(text) if text[0].isdigit() else float(zh_number(text))


def _clock(hour: str, minute: str | None, half: str, part: str) -> float | None:
    if hour == "一" and not (part or minute or half):
        return None   # "快一点", "有一点": a little, not one o'clock
    h, m = int(_znum(hour)), (30 if half else int(_znum(minute)) if minute else 0)
    part = part.replace(".", "")
    if part in ("pm", "下午", "晚上") and h < 12:
        h += 12
    elif part in ("am", "上午", "早上") and h == 12:
        h = 0
    return float(h * 60 + m) if h < 24 and m < 60 else None


# (pattern, family, unit, how to read the value from the match), tried in this order; a span
# taken by an earlier pattern is not read again ("3月15日" is a date, not 3 months).
_RULES: list[tuple[re.Pattern[str], Family, str, object]] = [
    (re.compile(rf"{_MONTH}\s+(?:the\s+)?{_ORD}{_END}"), Family.DATE, "", lambda m: _date(m[1], m[2])),
    (re.compile(rf"(?:the\s+)?{_ORD}\s+(?:of\s+)?{_MONTH}{_END}"), Family.DATE, "", lambda m: _date(m[2], m[1])),
    (re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), Family.DATE, "", lambda m: _date(m[1], m[2])),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/\d{2,4})?(?![\d/])"), Family.DATE, "", lambda m: _date(m[1], m[2])),
    (re.compile(_WEEKDAY), Family.WEEKDAY, "", lambda m: float(_WEEKDAYS.index(m[1]) + 1)),
    (re.compile(r"(?:星期|礼拜|周)([一二三四五六日天1-7])"), Family.WEEKDAY, "",
     lambda m: float(_ZH_WEEKDAYS[m[1]])),
    (re.compile(r"(\d{1,2})(?::(\d{2}))?()\s*(am|pm|a\.m\.|p\.m\.|o'clock)(?![a-z])"), Family.CLOCK, "",
     lambda m: _clock(m[1], m[2], m[3], m[4])),
    (re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})()()(?![\d:])"), Family.CLOCK, "", lambda m: _clock(m[1], m[2], m[3], m[4])),
    (re.compile(rf"(上午|早上|下午|晚上|中午)?\s*{ZNUM}\s*[点點](?:\s*{ZNUM}\s*分|(半))?"), Family.CLOCK, "",
     lambda m: _clock(m[2], m[3], m[4] or "", m[1] or "")),
    (re.compile(r"(?<!good )(?<!good)\b(morning|afternoon|evening)\b"), Family.DAYPART, "",
     lambda m: float(_DAYPARTS[m[1]])),
    (re.compile(r"(上午|早上|下午|晚上)(?!好)"), Family.DAYPART, "", lambda m: float(_DAYPARTS[m[1]])),
    (re.compile(rf"{NUM}\s*(?:mg|milligrams?|毫克){_END}"), Family.MASS, "mg", lambda m: _num(m[1])),
    (re.compile(rf"{ZNUM}\s*毫克"), Family.MASS, "mg", lambda m: _znum(m[1])),
    (re.compile(rf"(?:\$|¥|￥|rmb\s?|usd\s?){NUM}"), Family.MONEY, "", lambda m: _num(m[1])),
    (re.compile(rf"{NUM}\s*(?:dollars?|bucks|usd|yuan|rmb|pounds?|euros?|美元|元|块钱|块){_END}"),
     Family.MONEY, "", lambda m: _num(m[1])),
    (re.compile(rf"{NUM}\s*(?:gbps|gbit/s|gigabits?(?:\s+per\s+second)?|千兆){_END}"),
     Family.SPEED, "Mbps", lambda m: _num(m[1]) * 1000),
    (re.compile(r"千兆"), Family.SPEED, "Mbps", lambda m: 1000.0),
    (re.compile(r"百兆"), Family.SPEED, "Mbps", lambda m: 100.0),
    (re.compile(rf"{NUM}\s*(?:mbps|mb/s|mbit/s|megabits?(?:\s+per\s+second)?|megs?|mb|m|兆(?:比特)?(?:每秒)?){_END}"),
     Family.SPEED, "Mbps", lambda m: _num(m[1])),
    (re.compile(rf"{NUM}\s*(?:tb|terabytes?){_END}"), Family.DATA, "GB", lambda m: _num(m[1]) * 1000),
    (re.compile(rf"{NUM}\s*(?:gb|gigabytes?|gigs?|g|吉){_END}"), Family.DATA, "GB", lambda m: _num(m[1])),
    (re.compile(rf"{NUM}\s*(?:megabytes?){_END}"), Family.DATA, "GB", lambda m: _num(m[1]) / 1000),
    (re.compile(rf"{NUM}\s*(?:%|percent|per\s+cent){_END}"), Family.PERCENT, "%", lambda m: _num(m[1])),
    (re.compile(rf"百分之\s*{ZNUM}"), Family.PERCENT, "%", lambda m: _znum(m[1])),
    (re.compile(rf"{NUM}\s*(?:business\s+|working\s+)?(second|sec|minute|min|hour|hr|day|week|month|year)s?{_END}"),
     Family.TIME, "min", lambda m: _num(m[1]) * _TIME_UNITS[m[2]]),
    (re.compile(rf"{NUM}\s*个?(工作日|小时|分钟|秒|天|周|星期|个月|年)"), Family.TIME, "min",
     lambda m: _num(m[1]) * _TIME_UNITS[m[2]]),
    (re.compile(rf"{ZNUM}\s*([{_ZH_COUNT}])"), Family.COUNT, "", lambda m: _znum(m[1])),
    (re.compile(rf"{NUM}\s+([a-z]{{3,}})"), Family.COUNT, "", lambda m: _num(m[1])),
    (re.compile(NUM), Family.NUMBER, "", lambda m: _num(m[1])),
]


def extract_quantities(text: str) -> list[Quantity]:
    """Every quantity stated in `text` (English or Chinese), in order of appearance."""
    norm = normalize(text, "numbers")
    taken: list[tuple[int, int]] = []
    found: list[Quantity] = []
    for pattern, family, unit, read in _RULES:
        for match in pattern.finditer(norm.text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            value = read(match)  # type: ignore[operator]
            if value is None:
                continue
            taken.append((match.start(), match.end()))
            found.append(_quantity(norm, match, family, unit or _counted(match, family), float(value)))
    return sorted(found, key=lambda q: q.start)


def _counted(match: re.Match[str], family: Family) -> str:
    """A count keeps what it counts, singular: "3 devices" and "three device" agree."""
    if family != Family.COUNT:
        return ""
    thing = match[2]
    return thing[:-1] if thing.endswith("s") and len(thing) > 3 else thing


def _quantity(norm: Normalized, match: re.Match[str], family: Family, unit: str, value: float) -> Quantity:
    start, end = norm.span(match.start(), match.end())
    return Quantity(value, family, unit, norm.original[start:end], start, end)


def parse_quantity(value: str, unit: str = "") -> Quantity | None:
    """The quantity an author wrote in a fact (value 49, unit dollars), or None for a fact
    that is not a quantity ("Fibre 100", "Emily Chen")."""
    combined = f"{value} {unit}".strip()
    found = extract_quantities(combined)
    if len(found) == 1 and found[0].start == 0 and found[0].end >= len(str(value).strip()):
        return found[0]
    return None
