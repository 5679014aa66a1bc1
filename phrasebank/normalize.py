"""Text normalisation as named, composable pipelines that remember where every character came from.

ASR output and phrasebank entries differ in case, width, punctuation, contractions, spacing
between Chinese characters and in how numbers are written. Each step rewrites the text and
carries a per-character map back to the ORIGINAL text, so a match found in normalised text can
cite the exact words the trainee said (QA replay highlights them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from phrasebank.numerals import en_words_to_digits, zh_numeral_to_digits
from phrasebank.offsets import Normalized, substitute

__all__ = ["PIPELINES", "STEPS", "Normalized", "normalize", "substitute"]

Step = Callable[[Normalized], Normalized]


def map_chars(norm: Normalized, convert: Callable[[str], str]) -> Normalized:
    """A character-by-character rewrite (case, width); one character may become several."""
    converted = [convert(char) for char in norm.text]
    if all(len(char) == 1 for char in converted):  # one for one, as nearly always: offsets stay
        return _one_for_one(norm, "".join(converted))
    return substitute(norm, re.compile(r"(?s)."), lambda m: _changed(m.group(), convert))


def _changed(char: str, convert: Callable[[str], str]) -> str | None:
    new = convert(char)
    return None if new == char else new


# Full-width ASCII (as Chinese IMEs and ASR write it), the ideographic space and curly quotes:
# every one becomes one character, so str.translate keeps the offsets.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    0x3000: " ", 0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'}


def _one_for_one(norm: Normalized, text: str) -> Normalized:
    """`text` replaces norm.text character for character: the offsets stay."""
    return norm if text == norm.text else Normalized(norm.original, text, norm.starts, norm.ends)


def half_width(norm: Normalized) -> Normalized:
    return _one_for_one(norm, norm.text.translate(_HALF_WIDTH))


def lowercase(norm: Normalized) -> Normalized:
    lowered = norm.text.lower()
    if lowered == norm.text or norm.text.isascii():  # ASCII case maps one for one
        return _one_for_one(norm, lowered)
    return map_chars(norm, str.lower)


_CONTRACTIONS = {
    "can't": "cannot", "won't": "will not", "shan't": "shall not", "let's": "let us",
    "i'm": "i am", "it's": "it is", "that's": "that is", "what's": "what is", "there's": "there is",
    "here's": "here is", "he's": "he is", "she's": "she is", "who's": "who is", "how's": "how is",
    "y'all": "you all", "ma'am": "madam",
}
# ASR and hurried typists drop the apostrophe; these bare forms are not English words otherwise.
_BARE = {"dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not", "arent": "are not",
         "wasnt": "was not", "cant": "cannot", "couldnt": "could not", "wouldnt": "would not",
         "shouldnt": "should not", "havent": "have not", "im": "i am", "ive": "i have",
         "youre": "you are", "youve": "you have", "theyre": "they are", "thats": "that is"}
_SUFFIXES = {"n't": " not", "'re": " are", "'ll": " will", "'ve": " have", "'d": " would", "'m": " am"}
_CONTRACTION_RE = re.compile(r"\b[a-z]+(?:n't|'re|'ll|'ve|'d|'m|'s)\b|\by'all\b|\bma'am\b|\b(?:"
                             + "|".join(_BARE) + r")\b")


def _expand(match: re.Match[str]) -> str | None:
    word = match.group()
    if word in _CONTRACTIONS or word in _BARE:
        return _CONTRACTIONS.get(word) or _BARE[word]
    for suffix, full in _SUFFIXES.items():
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            return ("can" if stem == "ca" else stem) + full
    return None  # "'s" of a possessive ("the customer's") stays; punctuation removal drops it


def expand_contractions(norm: Normalized) -> Normalized:
    """English contractions, written out (run after `lowercase`): i'm -> i am, don't -> do not."""
    return substitute(norm, _CONTRACTION_RE, _expand)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


_APOSTROPHE_RE = re.compile(r"'")
_PUNCT_RE = re.compile(r"[^\w\s]|_")


def remove_punctuation(norm: Normalized) -> Normalized:
    """Apostrophes vanish (customer's -> customers); other punctuation becomes a space."""
    norm = substitute(norm, _APOSTROPHE_RE, lambda m: "")
    return substitute(norm, _PUNCT_RE, lambda m: " " if _is_punctuation(m.group()) or m.group() == "_" else None)


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}0-9])\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+(?=[{_CJK}0-9])")


def join_cjk_spaces(norm: Normalized) -> Normalized:
    """ASR writes "请 稍 等"; Chinese has no spaces between words, so drop them."""
    return substitute(norm, _CJK_GAP_RE, lambda m: "")


_SPACES_RE = re.compile(r"^\s+|\s+$|\s{2,}|[\t\n\r\f\v]")


def collapse_spaces(norm: Normalized) -> Normalized:
    return substitute(norm, _SPACES_RE, lambda m: "" if m.start() == 0 or m.end() == len(norm.text) else " ")


def numbers_to_digits(norm: Normalized) -> Normalized:
    """forty-nine -> 49, 九十九 -> 99, 一百 -> 100, fifteenth -> 15th (both languages at once:
    the English rule only sees Latin words, the Chinese one only Chinese numerals)."""
    return zh_numeral_to_digits(en_words_to_digits(norm))


_INTENSIFIER_RE = re.compile(r"\b(?:really|very|so|truly|quite|just)\b")


def drop_intensifiers(norm: Normalized) -> Normalized:
    """"that must be really frustrating" is "that must be frustrating" (run after `lowercase`)."""
    return substitute(norm, _INTENSIFIER_RE, lambda m: "")


STEPS: dict[str, Step] = {
    "half_width": half_width,
    "lowercase": lowercase,
    "expand_contractions": expand_contractions,
    "numbers_to_digits": numbers_to_digits,
    "remove_punctuation": remove_punctuation,
    "join_cjk_spaces": join_cjk_spaces,
    "drop_intensifiers": drop_intensifiers,
    "collapse_spaces": collapse_spaces,
}

# Named pipelines: phrase matching compares normalised phrase with normalised speech; number
# extraction keeps the punctuation that numbers need ($49.99, 3/15, 50%).
PIPELINES: dict[str, tuple[str, ...]] = {
    "phrases_en": ("half_width", "lowercase", "expand_contractions", "numbers_to_digits",
                   "remove_punctuation", "drop_intensifiers", "collapse_spaces"),
    "phrases_zh": ("half_width", "lowercase", "remove_punctuation", "join_cjk_spaces", "collapse_spaces"),
    "phrases_zh_digits": ("half_width", "lowercase", "numbers_to_digits", "remove_punctuation", "join_cjk_spaces",
                          "collapse_spaces"),
    "numbers": ("half_width", "lowercase", "expand_contractions", "numbers_to_digits",
                "join_cjk_spaces", "collapse_spaces"),
}


def normalize(text: str, pipeline: str | Sequence[str]) -> Normalized:
    """Run the named pipeline (or a list of step names) over `text`."""
    names = PIPELINES[pipeline] if isinstance(pipeline, str) else tuple(pipeline)
    norm = Normalized.of(text)
    for name in names:
        norm = STEPS[name](norm)
    return norm


def phrase_pipeline(language: str, digits: bool = False) -> str:
    """English phrases always see numbers as digits; Chinese ones when asked (fact values)."""
    if language.startswith("zh"):
        return "phrases_zh_digits" if digits else "phrases_zh"
    return "phrases_en"
