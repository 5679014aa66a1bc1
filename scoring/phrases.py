"""Phrase detection that survives ASR errors.

Both the phrase and the speech go through the same normalisation pipeline; then every window of
whole words (English) or characters (Chinese) about the phrase's length is compared with the
phrase by edit distance. A phrase may carry `tolerance` x its length edits (at least one once it
is `min_fuzzy_chars` long; shorter phrases must match exactly, so "hi" is never found in "this").
Courtesy phrases right after a negation ("not sorry", "不理解") do not count.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from phrasebank import Matching, Phrasebank
from phrasebank.normalize import Normalized, normalize, phrase_pipeline
from phrasebank.pinyin import sounds_alike


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
# A negation before these does not undo them ("not my problem" is still forbidden).
NEGATION_IMMUNE = frozenset({"forbidden", "filler"})
MARGIN = 5.0   # score points by which a rival category must win to silence a fuzzy hit


@dataclass(frozen=True)
class _Pattern:
    category: str
    phrase: str
    norm: str                   # normalised phrase ("" for a wildcard phrase)
    max_edits: int
    not_after: tuple[str, ...]
    wildcard: re.Pattern[str] | None


@dataclass(frozen=True)
class _Hit:
    pattern: _Pattern
    distance: float
    start: int                  # in normalised text
    end: int

    @property
    def score(self) -> float:
        size = max(len(self.pattern.norm), 1)
        return round(100.0 * (1 - self.distance / size), 1)


def find_phrases(text: str, bank: Phrasebank, categories: tuple[str, ...] | None = None) -> list[PhraseMatch]:
    """Every category found in `text`, best match per category, in order of appearance."""
    norm = normalize(text, phrase_pipeline(bank.language))
    best: dict[str, _Hit] = {}
    for hit in _resolve(_all_hits(norm, bank, categories)):
        current = best.get(hit.pattern.category)
        if current is None or _rank(hit) < _rank(current):
            best[hit.pattern.category] = hit
    return sorted((_match(norm, hit) for hit in best.values()), key=lambda m: (m.start, m.category))


def find_all_phrases(text: str, bank: Phrasebank, categories: tuple[str, ...] | None = None) -> list[PhraseMatch]:
    """Every occurrence (e.g. each forbidden phrase, each filler), overlapping ones within a
    category reduced to the best, in order of appearance."""
    norm = normalize(text, phrase_pipeline(bank.language))
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
    start, end = norm.span(hit.start, hit.end)
    return PhraseMatch(hit.pattern.category, hit.pattern.phrase, hit.score, norm.original[start:end], start, end)


def _all_hits(norm: Normalized, bank: Phrasebank, categories: tuple[str, ...] | None) -> list[_Hit]:
    chinese = bank.language.startswith("zh")
    units = _char_units(norm.text) if chinese else _word_units(norm.text)
    hits: list[_Hit] = []
    for pattern in _patterns_of(bank):
        if categories is not None and pattern.category not in categories:
            continue
        for hit in _find(pattern, norm.text, units, chinese):
            if _allowed(hit, norm.text, units, chinese):
                hits.append(hit)
    return hits


def _word_units(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _char_units(text: str) -> list[tuple[int, int]]:
    # A Latin word or number stays one unit; each Chinese character is its own unit.
    return [(m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+|\S", text)]


def _find(pattern: _Pattern, text: str, units: list[tuple[int, int]], chinese: bool) -> list[_Hit]:
    if pattern.wildcard is not None:
        return [_Hit(pattern, 0, m.start(), m.end()) for m in pattern.wildcard.finditer(text)]
    if pattern.max_edits == 0:
        return [_Hit(pattern, 0, m.start(), m.end()) for m in _exact_re(pattern.norm, chinese).finditer(text)]
    if not _could_match(pattern, text, chinese):
        return []
    size = len(pattern.norm) if chinese else pattern.norm.count(" ") + 1
    slack = pattern.max_edits if chinese else 1
    hits = []
    for first in range(len(units)):
        for count in range(max(1, size - slack), size + slack + 1):
            if first + count > len(units):
                break
            start, end = units[first][0], units[first + count - 1][1]
            window = text[start:end]
            if abs(len(window) - len(pattern.norm)) > pattern.max_edits:
                continue  # an edit distance is at least the difference in length
            if chinese and len(pattern.norm) <= 4 and window[0] != pattern.norm[0]:
                continue  # short Chinese phrases hinge on their first character: 不知道 vs 我知道
            cost = _cost(window, pattern, chinese)
            if cost is not None and cost <= pattern.max_edits:
                hits.append(_Hit(pattern, cost, start, end))
    return hits


def _could_match(pattern: _Pattern, text: str, chinese: bool) -> bool:
    """A cheap bound before the window search: each edit alters at most two of the phrase's
    words (a deleted space joins two) or one of its characters, so the rest must be present."""
    if chinese:
        units, present = pattern.norm, set(text)
        spare = 2 * pattern.max_edits
    else:
        units, present = pattern.norm.split(), set(text.split())  # type: ignore[assignment]
        spare = 2 * pattern.max_edits
    return sum(unit in present for unit in units) >= len(units) - spare


def _cost(window: str, pattern: _Pattern, chinese: bool) -> float | None:
    """Edit distance; in Chinese a sound-alike substitution (账/帐, 等/的) costs half, and in a
    short phrase a substitution that sounds nothing alike (上午好/上午上) rules the window out."""
    if not chinese:  # OSA: a swapped pair of letters (fibre/fiber) is one edit
        return OSA.distance(window, pattern.norm, score_cutoff=pattern.max_edits)
    distance = Levenshtein.distance(window, pattern.norm, score_cutoff=2 * pattern.max_edits)
    if distance == 0 or distance > 2 * pattern.max_edits:
        return distance
    cost = 0.0
    for op in Levenshtein.editops(window, pattern.norm):
        if op.tag != "replace":
            if len(pattern.norm) <= 3:
                return None  # 上午 is not a mangled 上午好: three characters leave nothing to drop
            cost += 1
        elif sounds_alike(window[op.src_pos], pattern.norm[op.dest_pos]):
            cost += 0.5
        elif len(pattern.norm) <= 4:
            return None
        else:
            cost += 1
    return cost


@lru_cache(maxsize=4096)
def _exact_re(norm: str, chinese: bool) -> re.Pattern[str]:
    if chinese:
        return re.compile(re.escape(norm))
    return re.compile(rf"(?<![^\s]){re.escape(norm)}(?![^\s])")


def _allowed(hit: _Hit, text: str, units: list[tuple[int, int]], chinese: bool) -> bool:
    window = text[hit.start:hit.end]
    before = text[:hit.start].rstrip()
    previous = before[-1:] if chinese else (before.rsplit(" ", 1)[-1] if before else "")
    if chinese:
        if any(previous == w[-1:] and before.endswith(w) for w in hit.pattern.not_after):
            return False
        inside = set(window) & ZH_NEGATORS - set(hit.pattern.norm)
    else:
        if previous in hit.pattern.not_after:
            return False
        inside = set(window.split()) & EN_NEGATORS - set(hit.pattern.norm.split())
    if inside:
        return False  # "i do not understand" is not "i understand"
    negators = ZH_NEGATORS if chinese else EN_NEGATORS
    return hit.pattern.category in NEGATION_IMMUNE or previous not in negators


_compiled: dict[int, tuple[Phrasebank, tuple[_Pattern, ...]]] = {}


def _patterns_of(bank: Phrasebank) -> tuple[_Pattern, ...]:
    """Compiled patterns, looked up by the bank object first: re-scoring a batch reuses one
    bank, and building its content key costs more than matching a short answer."""
    cached = _compiled.get(id(bank))
    if cached is not None and cached[0] is bank:
        return cached[1]
    patterns = _patterns(_bank_key(bank))
    if len(_compiled) > 64:
        _compiled.clear()
    _compiled[id(bank)] = (bank, patterns)
    return patterns


def _bank_key(bank: Phrasebank) -> tuple[object, ...]:
    return (bank.language, bank.settings,
            tuple((c, phrases, tuple(bank.phrase_info(c, p).not_after for p in phrases))
                  for c, phrases in bank.categories.items()))


@lru_cache(maxsize=32)
def _patterns(key: tuple[object, ...]) -> tuple[_Pattern, ...]:
    language, settings, categories = key
    assert isinstance(language, str) and isinstance(settings, Matching) and isinstance(categories, tuple)
    pipeline = phrase_pipeline(language)
    chinese = language.startswith("zh")
    patterns = []
    for category, phrases, not_afters in categories:
        for phrase, not_after in zip(phrases, not_afters, strict=True):
            after = tuple(normalize(w, pipeline).text for w in not_after)
            if "*" in phrase:
                patterns.append(_Pattern(category, phrase, "", 0, after, _wildcard_re(phrase, pipeline, chinese)))
                continue
            norm = normalize(phrase, pipeline).text
            if not norm:
                continue
            edits = 0
            if len(norm) >= settings.min_fuzzy_chars:
                edits = max(1, math.floor(len(norm) * settings.tolerance))
            patterns.append(_Pattern(category, phrase, norm, edits, after, None))
    return tuple(patterns)


def _wildcard_re(phrase: str, pipeline: str, chinese: bool) -> re.Pattern[str]:
    """"this is * speaking": the gap is one to three words (English) or one to six characters."""
    parts = [re.escape(normalize(part, pipeline).text) for part in phrase.split("*")]
    if chinese:
        return re.compile(r"\S{1,6}?".join(parts))
    gap = r"\s*(?:\S+\s+){0,2}\S+\s*"
    body = gap.join(parts)
    return re.compile(rf"(?<![^\s]){body}(?![^\s])")


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
