"""Phrase detection that survives ASR errors.

Both the phrase and the speech go through the same normalisation pipeline; then every window of
whole words (English) or characters (Chinese) about the phrase's length is compared with the
phrase by edit distance. A phrase may carry `tolerance` x its length edits (at least one once it
is `min_fuzzy_chars` long; shorter phrases must match exactly, so "hi" is never found in "this").
Courtesy phrases right after a negation ("not sorry", "不理解") do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from phrasebank import Phrasebank
from phrasebank.normalize import Normalized, normalize, phrase_pipeline
from scoring.forbidden import meant
from scoring.phrase_search import Hit as _Hit
from scoring.phrase_search import patterns_of, search


@dataclass(frozen=True)
class PhraseMatch:
    category: str
    phrase: str          # the phrasebank phrase that matched
    score: float         # similarity 0-100
    text: str            # the words of the input that matched
    start: int           # character offsets of `text` in the input
    end: int


EN_NEGATORS = frozenset({"not", "no", "never", "cannot", "nothing"})
ZH_NEGATORS = frozenset("不没别未")
ZH_CHANGERS = ZH_NEGATORS | {"还"}   # inside a window: "请问还有什么可以帮您" is no greeting
# A negation before these does not undo them ("not my problem" is still forbidden).
NEGATION_IMMUNE = frozenset({"forbidden", "filler"})
MARGIN = 5.0   # score points by which a rival category must win to silence a fuzzy hit


def find_phrases(text: str, bank: Phrasebank, categories: tuple[str, ...] | None = None) -> list[PhraseMatch]:
    """Every category found in `text`, best match per category, in order of appearance."""
    norm = normalize(text, phrase_pipeline(bank.language, bank.settings.digits))
    best: dict[str, _Hit] = {}
    for hit in _resolve(_all_hits(norm, bank, categories)):
        current = best.get(hit.pattern.category)
        if current is None or _rank(hit) < _rank(current):
            best[hit.pattern.category] = hit
    return sorted((_match(norm, hit) for hit in best.values()), key=lambda m: (m.start, m.category))


def find_all_phrases(text: str, bank: Phrasebank, categories: tuple[str, ...] | None = None) -> list[PhraseMatch]:
    """Every occurrence (e.g. each forbidden phrase, each filler), overlapping ones within a
    category reduced to the best, in order of appearance."""
    norm = normalize(text, phrase_pipeline(bank.language, bank.settings.digits))
    chosen: list[_Hit] = []
    for hit in sorted(_resolve(_all_hits(norm, bank, categories)), key=_rank):
        if not any(h.pattern.category == hit.pattern.category and h.start < hit.end and hit.start < h.end
                   for h in chosen):
            chosen.append(hit)
    return sorted((_match(norm, hit) for hit in chosen), key=lambda m: (m.start, m.category))


def _resolve(hits: list[_Hit]) -> list[_Hit]:
    """Drop a fuzzy hit when the same words match another category's phrase clearly better:
    "thank you for holdin" is thanks_for_waiting, not a mangled "thank you for calling"."""
    kept = []
    for hit in hits:
        if not any(other.pattern.category != hit.pattern.category and other.score > hit.score + MARGIN
                   and _covers(other, hit) for other in hits):
            kept.append(hit)
    return kept


def _covers(strong: _Hit, weak: _Hit) -> bool:
    """The stronger hit spans most of the weaker one ("sorry" does not silence a whole
    "sorry to keep you waiting")."""
    shared = min(strong.end, weak.end) - max(strong.start, weak.start)
    return shared > 0.6 * (weak.end - weak.start)


def _rank(hit: _Hit) -> tuple[float, int, int]:
    """Best first: higher score, then the more specific (longer) phrase, then the earlier one."""
    return (-hit.score, -len(hit.pattern.norm), hit.start)


def _match(norm: Normalized, hit: _Hit) -> PhraseMatch:
    start, end = _whole_words(norm.original, *norm.span(hit.start, hit.end))
    return PhraseMatch(hit.pattern.category, hit.pattern.phrase, hit.score, norm.original[start:end], start, end)


_TRAILING = ".,!?;:…)]}\"'"


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Evidence quotes whole words as said: "$49.00 a month", not "00 a month" (normalisation
    drops "$" and splits "49.00"); sentence punctuation after the last word stays out."""
    while start > 0 and _in_word(text[start - 1]) and _in_word(text[start]):
        start -= 1
    while end < len(text) and _in_word(text[end]) and _in_word(text[end - 1]):
        end += 1
    while end > start + 1 and text[end - 1] in _TRAILING:
        end -= 1
    return start, end


def _in_word(char: str) -> bool:
    # Chinese has no spaces: a character is a word of its own
    return not char.isspace() and char.isascii()


def _all_hits(norm: Normalized, bank: Phrasebank, categories: tuple[str, ...] | None) -> list[_Hit]:
    chinese = bank.language.startswith("zh")
    return [hit for hit in search(norm.text, patterns_of(bank), categories)
            if _allowed(hit, norm.text, chinese) and (
                hit.pattern.category != "forbidden"   # its words in an innocent sentence do not count
                or meant(norm.original, *norm.span(hit.start, hit.end), hit.pattern.phrase, bank.language))]


def _allowed(hit: _Hit, text: str, chinese: bool) -> bool:
    window = text[hit.start:hit.end]
    before = text[:hit.start].rstrip()
    previous = before[-1:] if chinese else (before.rsplit(" ", 1)[-1] if before else "")
    if chinese:
        if any(previous == w[-1:] and before.endswith(w) for w in hit.pattern.not_after):
            return False
        inside = set(window) & ZH_CHANGERS - set(hit.pattern.norm or hit.pattern.phrase)
    else:
        if previous in hit.pattern.not_after:
            return False
        words = (hit.pattern.norm or hit.pattern.phrase.replace("*", " ")).split()  # a wildcard has no norm
        inside = set(window.split()) & EN_NEGATORS - set(words)
    if inside:
        return False  # "i do not understand" is not "i understand"
    negators = ZH_NEGATORS if chinese else EN_NEGATORS
    return hit.pattern.category in NEGATION_IMMUNE or previous not in negators


def phrases_json(text: str, bank: Phrasebank) -> dict[str, object]:
    """`roleplay phrases --json` (DESIGN.md section 4): every occurrence, with its tier."""
    matches = find_all_phrases(text, bank)
    return {
        "text": text,
        "categories": list(dict.fromkeys(m.category for m in matches)),
        "matches": [{"category": m.category, "phrase": m.phrase, "score": m.score, "text": m.text,
                     "start": m.start, "end": m.end, "tier": bank.tier_of(m.category, m.phrase)}
                    for m in matches],
    }
