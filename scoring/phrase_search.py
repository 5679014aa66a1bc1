"""The search behind phrase detection: a phrasebank compiled once into patterns, and every place
in a normalised answer where a pattern lies within its edit budget.

Fuzzy phrases: every window of whole words (English) or characters (Chinese) about the
phrase's length is compared with the phrase by edit distance. All phrases whose window length
is n are compared with all windows of n units in one rapidfuzz `cdist` call, in C: re-scoring a
batch of calls spends most of its time here, and a Python loop per phrase and window was
most of that. Exact and wildcard phrases are regular expressions, tried only when every
word (Chinese: character) of the phrase is in the answer. Chinese is also compared by sound:
ASR hears the syllable and guesses the character (机主姓名 as 记主性民), so a homophone costs a
quarter edit, and a short exact phrase may be written in homophones (再见 as 在见).
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from phrasebank import Matching, Phrasebank
from phrasebank.normalize import normalize, phrase_pipeline
from phrasebank.pinyin import homophones, is_cjk, sound, sounds_alike


@dataclass(frozen=True)
class Pattern:
    category: str
    phrase: str
    norm: str                   # normalised phrase ("" for a wildcard phrase)
    max_edits: int
    not_after: tuple[str, ...]
    wildcard: re.Pattern[str] | None

    @property
    def exact(self) -> bool:
        """Found by a regular expression (a wildcard, or too short for edits), not by distance."""
        return self.wildcard is not None or self.max_edits == 0


@dataclass(frozen=True)
class Hit:
    pattern: Pattern
    distance: float
    start: int                  # in normalised text
    end: int

    @cached_property  # _resolve compares every pair of hits
    def score(self) -> float:
        size = max(len(self.pattern.norm), 1)
        return round(100.0 * (1 - self.distance / size), 1)


class Answer:
    """One normalised answer: its units (words, or characters in Chinese), the set of them,
    and its windows of n consecutive units, built once and shared by every pattern."""

    def __init__(self, text: str, chinese: bool) -> None:
        self.text, self.chinese = text, chinese
        # A Latin word or number stays one unit; each Chinese character is its own unit.
        unit = r"[a-z0-9]+|\S" if chinese else r"\S+"
        self.units = [(m.start(), m.end()) for m in re.finditer(unit, text)]
        self.present = set(text) if chinese else set(text.split())
        self._windows: dict[int, tuple[list[str], list[tuple[int, int]]]] = {}

    def windows(self, count: int) -> tuple[list[str], list[tuple[int, int]]]:
        if count not in self._windows:
            spans = [(self.units[i][0], self.units[i + count - 1][1])
                     for i in range(len(self.units) - count + 1)]
            self._windows[count] = ([self.text[a:b] for a, b in spans], spans)
        return self._windows[count]


@dataclass(frozen=True)
class _Group:
    """The fuzzy patterns compared with windows of one length."""
    numbers: tuple[int, ...]    # positions in PatternSet.patterns
    norms: list[str]
    limits: np.ndarray          # per pattern: the largest distance worth a closer look
    cutoff: int


class PatternSet:
    def __init__(self, patterns: tuple[Pattern, ...], chinese: bool) -> None:
        self.patterns, self.chinese = patterns, chinese
        # word (character) -> the exact phrases holding it; a wildcard phrase is always tried
        self._index: dict[str, list[int]] = {}
        self._needed: dict[int, int] = {}
        self._always: list[int] = []
        self._needed_sounds: dict[int, int] = {}
        for number in (n for n, p in enumerate(patterns) if p.exact):
            units = set(patterns[number].norm if chinese else patterns[number].norm.split())
            self._needed[number] = len(units)
            for unit in units:
                self._index.setdefault(unit, []).append(number)
            if not units:
                self._always.append(number)
        self._groups: dict[tuple[str, ...] | None, dict[int, _Group]] = {}
        # Chinese: (folded toneless) syllable -> the short exact phrases holding it
        self._by_sound: dict[str, list[int]] = {}
        for number in (n for n, p in enumerate(patterns) if chinese and p.exact and not p.wildcard):
            syllables = {sound(c) for c in patterns[number].norm}
            if len(patterns[number].norm) >= 2 and all(is_cjk(c) for c in patterns[number].norm):
                self._needed_sounds[number] = len(syllables)
                for syllable in syllables:
                    self._by_sound.setdefault(syllable, []).append(number)

    def sound_candidates(self, present: set[str]) -> list[int]:
        """The short exact phrases whose every syllable is in the answer."""
        counts: dict[int, int] = {}
        for syllable in present:
            for number in self._by_sound.get(syllable, ()):
                counts[number] = counts.get(number, 0) + 1
        return [n for n, count in counts.items() if count == self._needed_sounds[n]]

    def exact_candidates(self, present: set[str]) -> list[int]:
        counts: dict[int, int] = {}
        for unit in present:
            for number in self._index.get(unit, ()):
                counts[number] = counts.get(number, 0) + 1
        return [n for n, count in counts.items() if count == self._needed[n]] + self._always

    def groups(self, categories: tuple[str, ...] | None) -> dict[int, _Group]:
        """Fuzzy patterns by window length (in units), for one choice of categories."""
        if categories not in self._groups:
            members: dict[int, list[int]] = {}
            for number, p in enumerate(self.patterns):
                if p.exact or (categories is not None and p.category not in categories):
                    continue
                size = len(p.norm) if self.chinese else p.norm.count(" ") + 1
                slack = p.max_edits if self.chinese else 1
                for count in range(max(1, size - slack), size + slack + 1):
                    members.setdefault(count, []).append(number)
            # Chinese: a sound-alike slip costs half an edit, so twice the edits are looked at.
            factor = 2 if self.chinese else 1
            self._groups[categories] = {
                count: _Group(tuple(numbers), [self.patterns[n].norm for n in numbers],
                              limits := np.array([factor * self.patterns[n].max_edits for n in numbers]),
                              int(limits.max()))
                for count, numbers in members.items()}
        return self._groups[categories]


def search(text: str, patterns: PatternSet, categories: tuple[str, ...] | None) -> list[Hit]:
    """Every hit of every pattern (of `categories`), in bank order, each pattern's hits in order
    of appearance (at one place, the shorter window first)."""
    answer = Answer(text, patterns.chinese)
    spots: list[tuple[int, int, int, float]] = []       # pattern, start, end, cost
    for number in patterns.exact_candidates(answer.present):
        p = patterns.patterns[number]
        if categories is None or p.category in categories:
            regex = p.wildcard or _exact_re(p.norm, patterns.chinese)
            spots.extend((number, m.start(), m.end(), 0) for m in regex.finditer(text))
    if patterns.chinese:
        spots += _homophone_spots(answer, patterns, categories)
    scorer = Levenshtein.distance if patterns.chinese else OSA.distance
    fuzzy: list[tuple[int, int, int, float]] = []       # pattern, window, window units, cost
    for count, group in patterns.groups(categories).items():
        windows, _ = answer.windows(count)
        if not windows:
            continue
        distances = process.cdist(group.norms, windows, scorer=scorer, score_cutoff=group.cutoff,
                                  dtype=np.int32)
        for row, column in zip(*np.nonzero(distances <= group.limits[:, None]), strict=True):
            p = patterns.patterns[group.numbers[row]]
            cost = (_chinese_cost(windows[column], p) if patterns.chinese
                    else _english_cost(windows[column], p, float(distances[row, column])))
            if cost is not None and cost <= p.max_edits:
                fuzzy.append((group.numbers[row], int(column), count, cost))
    keyed = [((n, start, end), Hit(patterns.patterns[n], cost, start, end)) for n, start, end, cost in spots]
    keyed += [((n, column, count), Hit(patterns.patterns[n], cost, *answer.windows(count)[1][column]))
              for n, column, count, cost in fuzzy]
    keyed.sort(key=lambda item: item[0])
    return [hit for _, hit in keyed]


HOMOPHONE_COST = 0.25   # the syllable heard right, the character guessed wrong


# Words whose change turns a phrase into its opposite or into another phrase: never fuzzy.
_EN_KEY_WORDS = frozenset({"not", "no", "never", "nothing", "cannot", "anything", "else"})
_EN_KEEP = _EN_KEY_WORDS | {"i"}   # nor dropped: "hear you" is not "i hear you"
_VOWELS_RE = re.compile(r"[aeiouy]|(.)(?=\1)")


def _english_cost(window: str, pattern: Pattern, distance: float) -> float | None:
    """ASR damages words ("holdin", "here you", "under stand"); it rarely swaps one word for
    another: every word the window changes must stay close to the phrase's word, so
    "i help you" is not "i hear you" and "thank you for reaching" is not "... for waiting"."""
    if distance == 0:
        return distance
    said, meant = window.split(), pattern.norm.split()
    for op in Levenshtein.editops(said, meant):
        if op.tag == "replace":
            i, j = op.src_pos, op.dest_pos
            # a word split or merged by ASR ("any thing" / "anything") is one damaged word
            if any(_close("".join(said[a:b]), "".join(meant[c:d])) for a, b, c, d in
                   ((i, i + 2, j, j + 1), (i - 1, i + 1, j, j + 1), (i, i + 1, j, j + 2), (i, i + 1, j - 1, j + 1))
                   if a >= 0 and c >= 0):
                continue
            if _kept(said[i]) or _kept(meant[j]) or not _close(said[i], meant[j]):
                return None
        elif _kept(said[op.src_pos] if op.tag == "delete" else meant[op.dest_pos]):
            return None
        elif op.tag == "insert" and op.dest_pos == len(meant) - 1:
            return None  # the last word is what the phrase is about: "confirm the" is not "confirm the name"
    return distance


def _kept(word: str) -> bool:
    """A word no fuzzy match may change: a key word or a number ($59 is not $49)."""
    return word in _EN_KEEP or any(c.isdigit() for c in word)


def _close(said: str, meant: str) -> bool:
    """A misspelling (few edits) or a near-homophone (same first letter and consonants: here/hear)."""
    if OSA.distance(said, meant) <= max(1, len(meant) // 3):
        return True
    return said[:1] == meant[:1] and OSA.distance(_consonants(said), _consonants(meant)) <= 1


def _consonants(word: str) -> str:
    return word[:1] + _VOWELS_RE.sub("", word[1:])


def _chinese_cost(window: str, pattern: Pattern) -> float | None:
    if abs(len(window) - len(pattern.norm)) > pattern.max_edits:
        return None  # an edit distance is at least the difference in length
    first, meant = window[0], pattern.norm[0]
    if first != meant and not homophones(first, meant) and (len(pattern.norm) <= 4 or not sounds_alike(first, meant)):
        return None  # a phrase hinges on its first character: 不知道 vs 我知道, 还有什么 vs 有什么
    return _cost(window, pattern)


def _cost(window: str, pattern: Pattern) -> float | None:
    """Chinese edit distance: a homophone (机/记: the syllable heard right, the character
    guessed wrong) costs a quarter, a sound-alike substitution (账/帐, 等/的) half, and in a
    short phrase a substitution that sounds nothing alike (上午好/上午上) rules the window out."""
    distance = Levenshtein.distance(window, pattern.norm, score_cutoff=2 * pattern.max_edits)
    if distance == 0 or distance > 2 * pattern.max_edits:
        return distance
    cost = 0.0
    unlike_at = -2   # where the last substitution that sounds nothing alike was
    for op in Levenshtein.editops(window, pattern.norm):
        if op.tag != "replace":
            if len(pattern.norm) <= 4 or op.dest_pos == 0:
                return None  # 上午 is not a mangled 上午好, 理您的 not 理解您的: short phrases keep every character
            cost += 1
        elif homophones(window[op.src_pos], pattern.norm[op.dest_pos]):
            cost += HOMOPHONE_COST
        elif sounds_alike(window[op.src_pos], pattern.norm[op.dest_pos]):
            if len(pattern.norm) <= 3 and cost:
                return None  # 您收到 is not 您稍等: a three-character phrase survives one slip
            cost += 0.5
        elif len(pattern.norm) <= 4 or op.dest_pos == unlike_at + 1:
            return None  # two unlike characters in a row are another word: 取消 is not 核实
        else:
            unlike_at = op.dest_pos
            cost += 1
    return cost


def _homophone_spots(answer: Answer, patterns: PatternSet, categories: tuple[str, ...] | None,
                     ) -> list[tuple[int, int, int, float]]:
    """Short exact phrases (您好, 再见, a two-character name) heard as homophones: the same
    syllables written with other characters (王方 for 王芳), a quarter edit per character."""
    text = answer.text
    spots: list[tuple[int, int, int, float]] = []
    for number in patterns.sound_candidates({sound(c) for c in text}):
        p = patterns.patterns[number]
        if categories is not None and p.category not in categories:
            continue
        size = len(p.norm)
        for start in range(len(text) - size + 1):
            window = text[start:start + size]
            if window != p.norm and all(s == t or homophones(s, t) for s, t in zip(window, p.norm, strict=True)):
                spots.append((number, start, start + size,
                              HOMOPHONE_COST * sum(s != t for s, t in zip(window, p.norm, strict=True))))
    return spots


@lru_cache(maxsize=4096)
def _exact_re(norm: str, chinese: bool) -> re.Pattern[str]:
    if chinese:
        return re.compile(re.escape(norm))
    return re.compile(rf"(?<![^\s]){re.escape(norm)}(?![^\s])")


_compiled: OrderedDict[int, tuple[Phrasebank, PatternSet]] = OrderedDict()


def patterns_of(bank: Phrasebank) -> PatternSet:
    """Compiled patterns, looked up by the bank object first: re-scoring a batch reuses one
    bank, and building its content key costs more than matching a short answer. Least recently
    used first out: the one-fact banks of knowledge checks must not push out the main bank."""
    cached = _compiled.get(id(bank))
    if cached is not None and cached[0] is bank:
        _compiled.move_to_end(id(bank))
        return cached[1]
    patterns = _compile(_bank_key(bank))
    _compiled[id(bank)] = (bank, patterns)
    if len(_compiled) > 64:
        _compiled.popitem(last=False)
    return patterns


def _bank_key(bank: Phrasebank) -> tuple[object, ...]:
    # Only what matching reads: the phrasings and their "not after" words (tiers do not matter).
    not_after = tuple((key, info.not_after) for key, info in bank.info.items() if info.not_after)
    return (bank.language, bank.settings, tuple(bank.categories.items()), not_after)


@lru_cache(maxsize=32)
def _compile(key: tuple[object, ...]) -> PatternSet:
    language, settings, categories, not_after_pairs = key
    assert isinstance(language, str) and isinstance(settings, Matching)
    assert isinstance(categories, tuple) and isinstance(not_after_pairs, tuple)
    not_afters = dict(not_after_pairs)
    pipeline = phrase_pipeline(language, settings.digits)
    chinese = language.startswith("zh")
    patterns = []
    for category, phrases in categories:
        for phrase in phrases:
            not_after = not_afters.get((category, phrase), ())
            after = tuple(normalize(w, pipeline).text for w in not_after)
            if "*" in phrase:
                patterns.append(Pattern(category, phrase, "", 0, after, _wildcard_re(phrase, pipeline, chinese)))
                continue
            norm = normalize(phrase, pipeline).text
            if not norm:
                continue
            edits = 0
            if len(norm) >= settings.min_fuzzy_chars:
                edits = max(1, math.floor(len(norm) * settings.tolerance))
            patterns.append(Pattern(category, phrase, norm, edits, after, None))
    return PatternSet(tuple(patterns), chinese)


def _wildcard_re(phrase: str, pipeline: str, chinese: bool) -> re.Pattern[str]:
    """"this is * speaking": the gap is one to three words (English) or one to six characters."""
    parts = [re.escape(normalize(part, pipeline).text) for part in phrase.split("*")]
    if chinese:
        return re.compile(r"\S{1,6}?".join(parts))
    gap = r"\s*(?:\S+\s+){0,2}\S+\s*"
    body = gap.join(parts)
    return re.compile(rf"(?<![^\s]){body}(?![^\s])")
