"""Courtesy, forbidden and filler phrases per language (phrasebank/en.yaml, zh.yaml).

The YAML shape is documented at the top of en.yaml. A centre's override file has the same
shape; per category it adds phrasings, or replaces the shipped ones with `replace: true`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from roleplay.model.errors import ProblemCollector, RoleplayError
from roleplay.model.message import Msg
from roleplay.model.scenario import PHRASE_CATEGORIES
from roleplay.model.yamlbounds import finite, read_authored

HERE = Path(__file__).parent
TIERS: tuple[Tier, ...] = ("basic", "intermediate", "advanced")
Tier = Literal["basic", "intermediate", "advanced"]
CATEGORIES = PHRASE_CATEGORIES


@dataclass(frozen=True)
class PhraseInfo:
    """What the bank knows about one phrasing beyond its text."""

    tier: Tier = "basic"
    not_after: tuple[str, ...] = ()   # a preceding word that makes it something else ("would like")


@dataclass(frozen=True)
class Matching:
    """Per-language fuzziness: how much ASR damage a phrase may carry and still count."""

    tolerance: float = 0.2        # share of the phrase's characters that may be edited
    min_fuzzy_chars: int = 5      # shorter phrases must match exactly
    # Chinese numerals as digits on both sides: a fact's value (五十兆宽带) is what ASR writes
    # as 50兆宽带. Courtesy phrases keep theirs (一下 is no number).
    digits: bool = False


DEFAULT_MATCHING = {"en": Matching(0.2, 5), "zh": Matching(0.25, 3)}


@dataclass(frozen=True)
class Phrasebank:
    language: str
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    info: dict[tuple[str, str], PhraseInfo] = field(default_factory=dict)   # (category, phrase)
    matching: Matching | None = None

    @property
    def settings(self) -> Matching:
        return self.matching or DEFAULT_MATCHING.get(self.language[:2], Matching())

    def phrase_info(self, category: str, phrase: str) -> PhraseInfo:
        return self.info.get((category, phrase), PhraseInfo())

    def tier_of(self, category: str, phrase: str) -> Tier:
        return self.phrase_info(category, phrase).tier

    def with_extra(self, extra: dict[str, tuple[str, ...]] | dict[str, list[str]]) -> Phrasebank:
        """A centre's or a scenario's phrasings added to the shipped ones."""
        merged = dict(self.categories)
        for category, phrases in extra.items():
            merged[category] = tuple(dict.fromkeys(merged.get(category, ()) + tuple(phrases)))
        if merged == self.categories:
            return self  # the same object keeps the matcher's compiled patterns (scoring/phrase_search.py)
        return Phrasebank(self.language, merged, self.info, self.matching)

    def merged(self, other: Phrasebank, replace: frozenset[str] = frozenset()) -> Phrasebank:
        categories = {k: v for k, v in self.categories.items() if k not in replace}
        for category, phrases in other.categories.items():
            categories[category] = tuple(dict.fromkeys(categories.get(category, ()) + phrases))
        return Phrasebank(self.language, categories, {**self.info, **other.info},
                          other.matching or self.matching)


def load_phrasebank(language: str, extra_file: Path | None = None) -> Phrasebank:
    """The shipped phrasebank for `language`, with a centre's override file applied."""
    path = HERE / f"{language}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in HERE.glob("*.yaml")))
        raise RoleplayError(Msg("{path}: no phrasebank for language {language!r}; use one of: {known}", path=path, language=language, known=known))
    bank, _ = _read(path, language)
    if extra_file is not None:
        extra, replace = _read(Path(extra_file), language)
        bank = bank.merged(extra, replace)
    return bank


def _read(path: Path, language: str) -> tuple[Phrasebank, frozenset[str]]:
    raw = read_authored(path, Msg("phrasebank")) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("categories", {}), dict):
        raise RoleplayError(Msg("{path}: a phrasebank needs a 'categories:' mapping (see phrasebank/en.yaml)", path=path))
    categories: dict[str, tuple[str, ...]] = {}
    info: dict[tuple[str, str], PhraseInfo] = {}
    replace: set[str] = set()
    found = ProblemCollector()      # every broken category and setting, not only the first
    for name, entry in raw.get("categories", {}).items():
        if isinstance(entry, dict) and entry.get("replace"):
            replace.add(str(name))
        phrases = []
        for tier, item in found.check(partial(_tiered_items, path, str(name), entry)) or []:
            checked = found.check(partial(_phrase, path, str(name), item))
            if checked is not None:
                phrases.append(checked[0])
                info[(str(name), checked[0])] = PhraseInfo(tier, checked[1])
        categories[str(name)] = tuple(dict.fromkeys(phrases))
    matching = found.check(partial(_matching, path, language, raw.get("matching")))
    found.raise_any()
    return Phrasebank(language, categories, info, matching), frozenset(replace)


def _matching(path: Path, language: str, settings: Any) -> Matching | None:
    if settings is None:
        return None
    base = DEFAULT_MATCHING.get(language[:2], Matching())
    if not isinstance(settings, dict) or set(settings) - {"tolerance", "min_fuzzy_chars"}:
        raise RoleplayError(Msg("{path}: matching is a mapping with tolerance and min_fuzzy_chars", path=path))
    tolerance, chars = settings.get("tolerance", base.tolerance), settings.get("min_fuzzy_chars", base.min_fuzzy_chars)
    if not finite(tolerance, 0, 1):
        raise RoleplayError(Msg("{path}: matching.tolerance must be a number from 0 to 1", path=path))
    if not finite(chars, 0, 1000) or int(chars) != chars:
        raise RoleplayError(Msg("{path}: matching.min_fuzzy_chars must be a whole number from 0 to 1000", path=path))
    return Matching(float(tolerance), int(chars))


def _tiered_items(path: Path, name: str, entry: Any) -> list[tuple[Tier, Any]]:
    if entry is None:
        return []
    if isinstance(entry, list):
        return [("basic", item) for item in entry]
    if isinstance(entry, dict):
        unknown = set(entry) - {*TIERS, "phrases", "replace"}
        if unknown:
            raise RoleplayError(Msg("{path}: category {name!r} has unknown key(s) {unknown}; use basic/intermediate/advanced lists", path=path, name=name, unknown=sorted(unknown)))
        items: list[tuple[Tier, Any]] = [("basic", item) for item in entry.get("phrases") or []]
        for tier in TIERS:
            items += [(tier, item) for item in entry.get(tier) or []]
        return items
    raise RoleplayError(Msg("{path}: category {name!r} must be a list of phrases or tier lists", path=path, name=name))


def _phrase(path: Path, name: str, item: Any) -> tuple[str, tuple[str, ...]]:
    if isinstance(item, dict) and "text" in item:
        return str(item["text"]), tuple(str(w) for w in item.get("not_after") or ())
    if isinstance(item, str | int | float):
        return str(item), ()
    raise RoleplayError(Msg("{path}: a phrase in {name!r} must be text or {example}", path=path, name=name,
                            example="{text: ..., not_after: [...]}"))
