"""Curricula: levels passed one by one, certification tiers, re-training and badges.

A curriculum is a YAML file (docs/curriculum.md), shipped as scenarios/curriculum/{en,zh}.yaml,
checked like a scenario with every problem at file:line:col. The functions at the bottom are
pure: a curriculum and a trainee's attempt records in, statuses out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from roleplay.authoring.library import ScenarioRow, library_dir, list_scenarios
from roleplay.authoring.loader import ID_RE
from roleplay.authoring.yamlmarks import Where, Y, YamlDoc, did_you_mean
from roleplay.model.errors import RoleplayError, ScenarioError, ScenarioErrors
from roleplay.model.i18n import translator
from roleplay.model.message import Msg, joined
from roleplay.model.scenario import NOT_REQUIRED_CATEGORIES, PHRASE_CATEGORIES, Language
from roleplay.training.badges import CRITERIA, THRESHOLDS, Badge, CallRecord
from scoring.rubric import ITEM_IDS

Tier = Literal["beginner", "intermediate", "advanced"]
TIERS: tuple[Tier, ...] = ("beginner", "intermediate", "advanced")
TIER_LEVEL: dict[Tier, int] = {t: n for n, t in enumerate(TIERS, start=1)}   # a scenario's `level:`
TOP_KEYS = ("id", "title", "language", "levels")
TOP_OPTIONAL = ("certification", "retraining", "badges")
LEVEL_KEYS = ("id", "title", "tier", "scenarios")
RETRAINING_KEYS = ("after_failures", "drill_rounds", "items")
BADGE_KEYS = ("title", "criteria")


@dataclass(frozen=True)
class Level:
    id: str
    title: str
    tier: Tier
    scenarios: tuple[str, ...]
    pass_mark: float | None = None     # None: each scenario's own pass mark is enough


@dataclass(frozen=True)
class RetrainingRules:
    after_failures: int = 2            # failed attempts in a row at a scenario before re-training is due
    drill_rounds: int = 10             # drill rounds suggested per missed phrase category
    items: dict[str, tuple[str, ...]] = field(default_factory=dict)   # failed item -> extra scenarios


@dataclass(frozen=True)
class Curriculum:
    id: str
    title: str
    language: str
    levels: tuple[Level, ...]
    certification: dict[str, str] = field(default_factory=dict)      # tier -> certificate title
    retraining: RetrainingRules = RetrainingRules()
    badges: tuple[Badge, ...] = ()
    path: str = ""


# --- reading ----------------------------------------------------------------------------------
def path_positions(folder: Path, lang: str = "en") -> dict[str, str]:
    """Scenario id -> where the curricula in `folder` first play it ("agent-path-en level 3
    first-lookup"), for `roleplay list`. A curriculum that does not load is left out: its
    problems are `roleplay validate`'s to report."""
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        curriculum, errors = _read(path, folder.parent)
        if curriculum is None or errors:
            continue
        for n, level in enumerate(curriculum.levels, start=1):
            for sid in level.scenarios:
                where.setdefault(sid, Msg("{curriculum} level {n} {level}", curriculum=curriculum.id, n=n,
                                          level=level.id).render(translator(lang).gettext))
    return where


def load_curriculum(path: Path, library: Path | None = None) -> Curriculum:
    """Read and check a curriculum; raises ScenarioErrors listing every problem."""
    curriculum, errors = _read(path, library)
    if errors or curriculum is None:
        raise ScenarioErrors(errors or [ScenarioError(str(path), 1, 1, Msg("not a curriculum"))])
    return curriculum


def validate_curriculum(path: Path, library: Path | None = None) -> list[ScenarioError]:
    """Every problem in one curriculum file (empty when it is fine); `roleplay validate` calls this."""
    return _read(path, library)[1]


def default_library(path: Path) -> Path:
    """The scenario library a curriculum refers to: the folder holding its `curriculum/`
    folder when there is one, else the configured library."""
    parent = path.absolute().parent
    return parent.parent if parent.name == "curriculum" else library_dir()


def _read(path: Path, library: Path | None) -> tuple[Curriculum | None, list[ScenarioError]]:
    try:
        data = path.read_bytes()
    except OSError as e:
        reason = (Msg("no such file") if isinstance(e, FileNotFoundError)
                  else Msg("cannot read it ({reason})", reason=e.strerror))
        return None, [ScenarioError(str(path), 1, 1, reason)]
    doc = YamlDoc(str(path), data)
    root = doc.parse()
    curriculum = None
    if root is not None:
        try:
            scenarios = {row.id: row for row in list_scenarios(library or default_library(path))}
        except RoleplayError as error:   # no library folder: every reference would be unknown
            doc.error_at(1, 1, error.text)
            return None, doc.sorted_errors()
        curriculum = _Reader(doc, scenarios).read(root, str(path))
    return curriculum, doc.sorted_errors()


class _Reader:
    def __init__(self, doc: YamlDoc, scenarios: dict[str, ScenarioRow]) -> None:
        self.doc = doc
        self.scenarios = scenarios        # every scenario in the library, by id
        self.language = ""

    def read(self, root: Y, path: str) -> Curriculum | None:
        doc = self.doc
        if root.kind != "map":
            doc.error(root, Msg("a curriculum is a mapping of keys (id, title, language, levels, ...)"))
            return None
        top = doc.mapping(root, "", TOP_KEYS, TOP_OPTIONAL) or {}
        ident = doc.text(top["id"], "id") if "id" in top else None
        if ident is not None and not ID_RE.fullmatch(ident):
            doc.error(top["id"], Msg("id: '{value}' may only use a-z, 0-9 and '-'", value=ident))
        if "language" in top:
            self.language = doc.choice(top["language"], "language", [x.value for x in Language], Msg("language")) or ""
        levels = self._levels(top["levels"]) if "levels" in top else []
        curriculum = Curriculum(
            id=ident or "", title=(doc.text(top["title"], "title") if "title" in top else None) or "",
            language=self.language, levels=tuple(levels),
            certification=self._certification(top["certification"]) if "certification" in top else {},
            retraining=self._retraining(top["retraining"]) if "retraining" in top else RetrainingRules(),
            badges=tuple(self._badges(top["badges"])) if "badges" in top else (), path=path)
        return None if doc.errors else curriculum

    def _scenario_ref(self, y: Y, where: Where) -> str | None:
        ref = self.doc.text(y, where)
        if ref is None:
            return None
        if ref not in self.scenarios:
            hint = did_you_mean(ref, self.scenarios) or Msg("; run `roleplay list` to see the library")
            self.doc.error(y, Msg("{where}: no scenario '{ref}' in the library{hint}", where=where, ref=ref, hint=hint))
            return None
        if self.language and self.scenarios[ref].language != self.language:
            self.doc.error(y, Msg("{where}: scenario '{ref}' is in {language}, this curriculum is in {ours}",
                                  where=where, ref=ref, language=self.scenarios[ref].language, ours=self.language))
        return ref

    def _level_agrees(self, y: Y, ref: str, tier: Tier, where: Where) -> None:
        """A scenario's `level:` is the tier that first plays it (later tiers may replay it for
        revision), so `list` and the path agree on how hard it is."""
        row = self.scenarios[ref]
        want = TIER_LEVEL[tier]
        if row.level != want:
            self.doc.error(y, Msg("{where}: scenario '{ref}' is marked `level: {level}` in {file}, but the path"
                                  " plays it in its {tier} tier, which takes `level: {want}` scenarios; change"
                                  " one of them", where=where, ref=ref, level=row.level, file=row.path.name,
                                  tier=tier, want=want))

    def _levels(self, y: Y) -> list[Level]:
        doc = self.doc
        items = doc.items(y, "levels")
        if items is not None and not items:
            doc.error(y, Msg("levels: give at least one level"))
        levels: list[Level] = []
        seen: dict[str, int] = {}
        for n, ly in enumerate(items or [], start=1):
            where = Msg("level {n}", n=n)
            m = doc.mapping(ly, where, LEVEL_KEYS, ("pass_mark",))
            if m is None:
                continue
            ident = doc.text(m["id"], where + ".id") if "id" in m else None
            if ident is not None and ident in seen:
                doc.error(m["id"], Msg("{where}: duplicate level id '{ident}' (first is level {first})", where=where,
                                       ident=ident, first=seen[ident]))
            elif ident is not None:
                seen[ident] = n
            chosen = doc.choice(m["tier"], where + ".tier", TIERS, Msg("tier")) if "tier" in m else None
            tier = next((t for t in TIERS if t == chosen), None)
            if tier and levels and TIERS.index(tier) < TIERS.index(levels[-1].tier):
                doc.error(m["tier"], Msg("{where}: tier '{tier}' comes after an {before} level; order levels from"
                                         " beginner to advanced", where=where, tier=tier, before=levels[-1].tier))
            refs = doc.items(m["scenarios"], where + ".scenarios") if "scenarios" in m else None
            if refs is not None and not refs:
                doc.error(m["scenarios"], Msg("{where}.scenarios: give at least one scenario id", where=where))
            scenarios = []
            for ry in refs or []:
                if (r := self._scenario_ref(ry, where + ".scenarios")) is not None:
                    if tier is not None and all(r not in lv.scenarios for lv in levels):
                        self._level_agrees(ry, r, tier, where + ".scenarios")
                    scenarios.append(r)
            mark = doc.number(m["pass_mark"], where + ".pass_mark", 0, 100) if "pass_mark" in m else None
            title = (doc.text(m["title"], where + ".title") if "title" in m else None) or ""
            levels.append(Level(ident or "", title, tier or (levels[-1].tier if levels else "beginner"),
                                tuple(scenarios), mark))
        return levels

    def _certification(self, y: Y) -> dict[str, str]:
        m = self.doc.mapping(y, "certification", (), TIERS) or {}
        return {k: t for k, v in m.items() if k in TIERS and (t := self.doc.text(v, f"certification.{k}"))}

    def _retraining(self, y: Y) -> RetrainingRules:
        doc = self.doc
        m = doc.mapping(y, "retraining", (), RETRAINING_KEYS) or {}
        items: dict[str, tuple[str, ...]] = {}
        for item, iy in (doc.mapping(m["items"], "retraining.items") or {} if "items" in m else {}).items():
            if item not in ITEM_IDS:
                hint = did_you_mean(item, ITEM_IDS) or Msg("; scorecard items are {items}", items=joined(ITEM_IDS, Msg(", ")))
                doc.error(m["items"].keys[item], Msg("retraining.items: no scorecard item '{item}'{hint}", item=item,
                                                     hint=hint))
            refs = doc.items(iy, f"retraining.items.{item}") or []
            items[item] = tuple(r for ry in refs if (r := self._scenario_ref(ry, f"retraining.items.{item}")))
        after = doc.integer(m["after_failures"], "after_failures", 1) if "after_failures" in m else None
        rounds = doc.integer(m["drill_rounds"], "drill_rounds", 1, 200) if "drill_rounds" in m else None
        return RetrainingRules(after or 2, rounds or 10, items)

    def _badges(self, y: Y) -> list[Badge]:
        doc = self.doc
        badges = []
        for ident, by in (doc.mapping(y, "badges") or {}).items():
            where = f"badges.{ident}"
            if not ID_RE.fullmatch(ident):
                doc.error(y.keys[ident], Msg("{where}: a badge id may only use a-z, 0-9 and '-'", where=where))
            m = doc.mapping(by, where, BADGE_KEYS, ("description",))
            if m is None:
                continue
            criteria, calls = self._criteria(m["criteria"], f"{where}.criteria") if "criteria" in m else ([], 1)
            badges.append(Badge(ident, (doc.text(m["title"], f"{where}.title") if "title" in m else None) or "",
                                (doc.text(m["description"], f"{where}.description") if "description" in m else None) or "",
                                tuple(criteria), calls))
        return badges

    def _criteria(self, y: Y, where: str) -> tuple[list[tuple[str, float]], int]:
        doc = self.doc
        m = doc.mapping(y, where, (), (*CRITERIA, "calls"))
        if m is None:
            return [], 1
        criteria = [(name, v) for name, vy in m.items() if name in CRITERIA
                    and (v := (doc.number(vy, f"{where}.{name}", lo=0) if name in THRESHOLDS
                               else doc.integer(vy, f"{where}.{name}", lo=1))) is not None]
        calls = doc.integer(m["calls"], f"{where}.calls", lo=1) if "calls" in m else None
        if "calls" in m and not any(n in THRESHOLDS for n in m):
            doc.error(m["calls"], f"{where}: 'calls' only goes with {' or '.join(THRESHOLDS)}")
        if not m:
            doc.error(y, f"{where}: give at least one criterion, like no_forbidden_streak: 5")
        return criteria, calls or 1


# --- pure functions over attempt records -------------------------------------------------------
Status = Literal["locked", "unlocked", "passed"]


@dataclass(frozen=True)
class LevelStatus:
    level: Level
    status: Status
    best: dict[str, float | None]      # scenario id -> best score so far (None: never scored)
    passed_scenarios: tuple[str, ...]


def passes(level: Level, attempt: CallRecord) -> bool:
    """A passing attempt: the call passed and its score reaches the level's pass mark."""
    return attempt.passed and attempt.score is not None and attempt.score >= (level.pass_mark or 0)


def level_status(curriculum: Curriculum, attempts: Sequence[CallRecord]) -> list[LevelStatus]:
    """Levels in order: the first is unlocked, each next one unlocks when the one before is
    passed; a level is passed when each of its scenarios has a passing attempt."""
    result: list[LevelStatus] = []
    for level in curriculum.levels:
        best: dict[str, float | None] = {}
        for sid in level.scenarios:
            scores = [a.score for a in attempts if a.scenario_id == sid and a.score is not None]
            best[sid] = max(scores, default=None)
        done = tuple(s for s in level.scenarios
                     if any(a.scenario_id == s and passes(level, a) for a in attempts))
        open_ = not result or result[-1].status == "passed"
        status: Status = "locked" if not open_ else "passed" if len(done) == len(level.scenarios) else "unlocked"
        result.append(LevelStatus(level, status, best, done))
    return result


def tier(curriculum: Curriculum, attempts: Sequence[CallRecord]) -> Tier | None:
    """The highest certification tier whose levels (and every lower tier's) are all passed."""
    statuses = level_status(curriculum, attempts)
    earned: Tier | None = None
    for t in TIERS:
        mine = [s for s in statuses if s.level.tier == t]
        if not mine:
            continue
        if not all(s.status == "passed" for s in mine):
            break
        earned = t
    return earned


@dataclass(frozen=True)
class Retraining:
    call_id: str
    scenario_id: str
    level: str | None                 # the level the scenario belongs to
    scenarios: tuple[str, ...]        # to practise again: the failed one, then those its failed items call for
    categories: tuple[str, ...]       # phrase categories missed (or forbidden said): drill these
    facts: tuple[str, ...]            # facts missed or stated wrong
    failed_items: tuple[str, ...]
    drill_rounds: int

    def drills(self, language: str) -> list[str]:
        return [f"roleplay drill --category {c} --lang {language} --rounds {self.drill_rounds}"
                for c in self.categories if c in DRILLABLE]


DRILLABLE = tuple(c for c in PHRASE_CATEGORIES if c not in NOT_REQUIRED_CATEGORIES)


def retraining(curriculum: Curriculum, failed_attempt: CallRecord) -> Retraining:
    """What to practise after a failed attempt, from its scorecard items and evidence."""
    failed = tuple(i.id for i in failed_attempt.items if not i.passed and i.max_points > 0)
    scenarios = [failed_attempt.scenario_id]
    for item in failed:
        scenarios += curriculum.retraining.items.get(item, ())
    summary = failed_attempt.summary
    categories = summary.missed_categories + (("forbidden",) if summary.forbidden else ())
    level = next((lv.id for lv in curriculum.levels if failed_attempt.scenario_id in lv.scenarios), None)
    return Retraining(failed_attempt.call_id, failed_attempt.scenario_id, level,
                      tuple(dict.fromkeys(scenarios)), tuple(dict.fromkeys(categories)),
                      summary.missed_facts, failed, curriculum.retraining.drill_rounds)


def retraining_due(curriculum: Curriculum, attempts: Sequence[CallRecord]) -> list[Retraining]:
    """Scenarios of the curriculum whose last `after_failures` scored attempts all failed."""
    n = curriculum.retraining.after_failures
    due: dict[str, Retraining] = {}
    for level in curriculum.levels:
        for sid in level.scenarios:
            if sid in due:       # a scenario in two levels is judged once, at its first
                continue
            mine = sorted((a for a in attempts if a.scenario_id == sid and a.scored), key=lambda a: a.started_at)
            last = mine[-n:]
            if len(last) == n and not any(passes(level, a) for a in last):
                due[sid] = retraining(curriculum, last[-1])
    return list(due.values())
