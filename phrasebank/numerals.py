"""Spoken numbers to digits, English and Chinese, keeping offsets (a `numbers_to_digits` step).

ASR writes what it heard: "forty-nine", "九十九", "two point five", "八八零零一二三四". Scoring
compares values, so both phrase matching and number extraction see digits.
"""

from __future__ import annotations

import re

from phrasebank.offsets import Normalized, substitute

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
          "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_UNITS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                  "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth",
                  "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
                  "nineteenth"]
_ORDINAL_TENS = ["twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth",
                 "eightieth", "ninetieth"]

EN_VALUES: dict[str, int] = {w: i for i, w in enumerate(_UNITS)} | {"oh": 0}
EN_VALUES |= {w: 20 + 10 * i for i, w in enumerate(_TENS)}
EN_ORDINALS: dict[str, int] = {w: i for i, w in enumerate(_ORDINAL_UNITS)}
EN_ORDINALS |= {w: 20 + 10 * i for i, w in enumerate(_ORDINAL_TENS)}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}

_CARDINAL = "|".join(sorted([*EN_VALUES, *EN_SCALES, *_UNITS], key=len, reverse=True))
_ORDINAL = "|".join(sorted(EN_ORDINALS, key=len, reverse=True))
_JOIN = r"(?:[\s-]+(?:and[\s-]+)?)"
# A run of number words, optionally "point" and digits, optionally ending in an ordinal.
_EN_RE = re.compile(
    rf"\b(?:(?:{_CARDINAL})(?:{_JOIN}(?:{_CARDINAL}))*"
    rf"(?:\s+point(?:\s+(?:{_CARDINAL}))+)?(?:[\s-]+(?:{_ORDINAL}))?|(?:{_ORDINAL}))\b")
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else _SUFFIX.get(n % 10, "th")


def _cardinal(words: list[str]) -> str:
    """The digits of cardinal number words; single digits in a row are read one by one
    (an account number: "eight eight zero one" -> 8801)."""
    if len(words) > 1 and all(EN_VALUES.get(w, 99) < 10 for w in words):
        return "".join(str(EN_VALUES[w]) for w in words)
    total, current = 0, 0
    for word in words:
        if word in EN_SCALES:
            scale = EN_SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            current += EN_VALUES[word]
    return str(total + current)


def _en_replace(match: re.Match[str]) -> str | None:
    words = [w for w in re.split(r"[\s-]+", match.group()) if w and w != "and"]
    ordinal = EN_ORDINALS.get(words[-1]) if words[-1] in EN_ORDINALS else None
    if ordinal is not None:
        head = words[:-1]
        if head and head[-1] not in _TENS and head[-1] not in EN_SCALES:
            # "one second", "two thirds": a count and a word, not twenty-first
            tail = words[-1] if words[-1] == "second" else f"{ordinal}{_ordinal_suffix(ordinal)}"
            return f"{_cardinal(head)} {tail}"
        if not head and match.group() == "second" and not _second_is_ordinal(match):
            return None  # "a second": time, not a date
        value = int(_cardinal(head)) + ordinal if head else ordinal
        return f"{value}{_ordinal_suffix(value)}"
    if "point" in words:
        at = words.index("point")
        whole = _cardinal(words[:at]) if words[:at] else "0"
        return f"{whole}.{''.join(_cardinal([w]) for w in words[at + 1:])}"
    if words == ["oh"]:
        return None
    return _cardinal(words)


def _second_is_ordinal(match: re.Match[str]) -> bool:
    before = match.string[max(0, match.start() - 12):match.start()].split()
    after = match.string[match.end():match.end() + 4]
    return after.startswith(" of") or bool(before and before[-1] in {*MONTHS, "the"})




def en_words_to_digits(norm: Normalized) -> Normalized:
    """English number words to digits; expects lowercase text."""
    return substitute(norm, _EN_RE, _en_replace)


ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_ZH_SMALL = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}
_ZH_RE = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?")
# A lone numeral counts only before a unit or measure word: "一下", "统一", "万一" stay words.
_ZH_UNIT_AFTER = set("元块角毛月日号年个台次张部条兆天周岁位项倍折小分秒钟GgMm%期")


def zh_number(numeral: str) -> str:
    """Digits of a Chinese numeral: 九十九 -> 99, 一百零五 -> 105, 三百五 -> 350, 两 -> 2,
    三点五 -> 3.5; a run of bare digits is read one by one (八八零零 -> 8800)."""
    whole, _, fraction = numeral.partition("点")
    tail = "." + "".join(str(ZH_DIGITS[c]) for c in fraction) if fraction else ""
    if len(whole) > 1 and all(c in ZH_DIGITS for c in whole):
        return "".join(str(ZH_DIGITS[c]) for c in whole) + tail
    total, section, number, last_unit, zero_seen = 0, 0, 0, 1, False
    for char in whole:
        if char in ZH_DIGITS:
            number = ZH_DIGITS[char]
            zero_seen = zero_seen or number == 0
        elif char in _ZH_SMALL:
            last_unit = _ZH_SMALL[char]
            section += (number or (1 if char == "十" else 0)) * last_unit
            number, zero_seen = 0, False
        else:
            section = (section + number) * _ZH_BIG[char]
            total += section
            section, number, last_unit = 0, 0, _ZH_BIG[char]
    if number and last_unit >= 100 and not zero_seen and whole[-2] in _ZH_SMALL:
        number *= last_unit // 10  # 三百五 is 350, 两千五 is 2500
    return str(total + section + number) + tail


def _zh_replace(match: re.Match[str]) -> str | None:
    run = match.group()
    if run[0] in "百千万亿":
        return None
    after = match.string[match.end():match.end() + 1]
    has_scale = any(c in _ZH_SMALL or c in _ZH_BIG for c in run)
    if has_scale and len(run) > 1 or "点" in run or after in _ZH_UNIT_AFTER:
        return zh_number(run)
    if len(run) > 1 and all(c in ZH_DIGITS for c in run) and len(set(run)) > 1:
        return zh_number(run)
    return None


def zh_numeral_to_digits(norm: Normalized) -> Normalized:
    return substitute(norm, _ZH_RE, _zh_replace)
