"""Seeded fuzzing of what trainers and stations hand us (issue 12; docs/reliability.md).

Scenario mutants: the shipped scenarios with one hostile edit each (a value swapped for a
huge number, NaN, a 200 kB string, an alias bomb or loop, deep nesting, bytes that are not
UTF-8, a cut, a tab ...). Each is validated; one that validates is also scored and archived
as JSON, where values that passed used to crash later. Corrupted call folders: copies of a
real simulated call, one corruption each (cut or deep JSON, wrong event types, huge times,
malformed scorecards, symlinks out of the archive, loops, planted lock and temp files, temp
files a kill left behind), mixed with intact calls. The archive is re-scored, replayed and
reported. Outcomes per input: clean (it worked, or one RoleplayError line), crash (any other
exception), hang (over 10 s). Lost: an intact call not re-scored or missing history, or a
killed writer's finished scorecard not recovered. Outside: files changed outside the archive.

    python tests/fuzz_hostile.py [--seed 12] [--scenarios 300] [--calls 60]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roleplay.model.errors import RoleplayError

HANG_S = 10
LIBRARY = sorted(p for p in (ROOT / "scenarios").glob("*/*.yaml"))
POOR = ROOT / "scenarios/en/answers/broadband-slow-poor.yaml"
BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))
HOSTILE_VALUES = (
    "100000000000000000000", "9223372036854775808", "-1", ".nan", ".inf", "-.inf", "1e400",
    "'" + "x" * 200_000 + "'", "*nowhere", "&a [*a]", "[" * 300 + "]" * 300, "{", "[", "'",
    "!!python/object/apply:os.system ['true']", "null", "''", "[]", "{}", "yes", "0x7fffffffffffffff",
    "\"\\u0000\"", "\"\x1b[2J\"", "\"=HYPERLINK(1)\"", "!!binary aGk=", "2001-12-14", "~",
)


class Hang(Exception):
    pass


@dataclass
class Tally:
    tried: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)

    def add(self, outcome: str, what: str = "") -> None:
        self.tried += 1
        self.outcomes[outcome] += 1
        if outcome in ("crash", "hang"):
            self.crashes.append(what)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def on_alarm(_signum: int, _frame: Any) -> None:
        raise Hang()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def attempt(work: Callable[[], Any]) -> tuple[str, str]:
    """('clean' | 'crash' | 'hang', detail) for one piece of work."""
    try:
        with deadline(HANG_S):
            work()
    except Hang:
        return "hang", ""
    except RoleplayError:
        return "clean", ""
    except Exception as error:  # noqa: BLE001 - what the fuzzer is looking for
        return "crash", f"{type(error).__name__}: {str(error)[:120]}"
    return "clean", ""


# --- scenario mutants ---------------------------------------------------------------------
def _swap_value(lines: list[str], rng: random.Random) -> list[str]:
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    i = rng.choice(candidates)
    key = lines[i].split(": ", 1)[0]
    return [*lines[:i], f"{key}: {rng.choice(HOSTILE_VALUES)}", *lines[i + 1:]]


def _structural(lines: list[str], rng: random.Random) -> list[str]:
    i = rng.randrange(len(lines))
    kind = rng.randrange(5)
    if kind == 0:
        return lines[:i] + lines[i + 1:]
    if kind == 1:
        return lines[:i] + [lines[i]] + lines[i:]
    if kind == 2:
        return lines[:i] + ["\t" + lines[i]] + lines[i + 1:]
    if kind == 3:
        j = rng.randrange(len(lines))
        out = list(lines)
        out[i], out[j] = out[j], out[i]
        return out
    return lines[:i]


def scenario_mutant(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines()
    pick = rng.randrange(10)
    if pick < 5:
        lines = _swap_value(lines, rng)
    elif pick < 8:
        lines = _structural(lines, rng)
    elif pick == 8:
        lines = lines + ["x_extra:"] + ["  " + line for line in BOMB.splitlines()]
    else:
        data = bytearray("\n".join(lines).encode("utf-8"))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    return ("\n".join(lines) + "\n").encode("utf-8")


def fuzz_scenarios(work: Path, seed: int, count: int) -> Tally:
    from phrasebank import load_phrasebank
    from roleplay.archive.calls import _scenario_json, dumps_readable
    from roleplay.authoring.loader import load_scenario
    from roleplay.model.events import Timeline
    from roleplay.training.validate import validate_file
    from scoring.rubric import load_rubric
    from scoring.scorecard import score

    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in LIBRARY if "curriculum" not in p.parts]
    tally = Tally()
    for n in range(count):
        path = work / f"mutant-{n:04d}.yaml"
        path.write_bytes(scenario_mutant(rng.choice(texts), rng))

        def check(path: Path = path) -> None:
            if validate_file(path):
                return
            scenario = load_scenario(path)   # validated: everything after must work too
            dumps_readable({"scenario": _scenario_json(scenario)})
            card = score(Timeline([]), scenario, load_phrasebank(str(scenario.language)), load_rubric(None))
            dumps_readable(card.to_json())

        outcome, detail = attempt(check)
        tally.add(outcome, f"{path.name}: {detail}")
    return tally


# --- corrupted call folders ---------------------------------------------------------------
def _edit(call: Path, change: Callable[[dict[str, Any]], None]) -> None:
    raw = json.loads((call / "call.json").read_text(encoding="utf-8"))
    change(raw)
    (call / "call.json").write_text(json.dumps(raw), encoding="utf-8")


def _event(raw: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    return rng.choice(raw["timeline"])


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def corruptions(outside: Path) -> list[Callable[[Path, random.Random], None]]:
    def cut(call: Path, rng: random.Random) -> None:
        data = (call / "call.json").read_bytes()
        (call / "call.json").write_bytes(data[: rng.randrange(1, len(data))])

    def no_call_json(call: Path, rng: random.Random) -> None:
        (call / "call.json").unlink()
        if rng.random() < 0.5:
            with open(call / "events.jsonl", "a", encoding="utf-8") as f:
                f.write('{"kind": "asr_fi')

    def deep(call: Path, rng: random.Random) -> None:
        depth = rng.choice([2_000, 100_000])
        (call / rng.choice(["call.json", "events.jsonl"])).write_text("[" * depth + "]" * depth)

    def bad_event(call: Path, rng: random.Random) -> None:
        field_, value = rng.choice([("words", "oops"), ("t_ms", 10**15), ("t_ms", "soon"),
                                    ("kind", "alien"), ("text", ["x"]), ("t_ms", None),
                                    ("words", [{"word": 1}]), ("node", {"a": 1})])
        _edit(call, lambda raw: _event(raw, rng).update({field_: value}))

    def huge_time(call: Path, rng: random.Random) -> None:
        _edit(call, lambda raw: raw["timeline"][-1].update(t_ms=10**15))

    def bad_card(call: Path, rng: random.Random) -> None:
        change = rng.choice([lambda c: c.update(items=["greeting"]), lambda c: c.update(items="x"),
                             lambda c: c["items"][0].update(points="ten"), lambda c: c.update(score="hi"),
                             lambda c: c["items"][0].update(evidence="x")])
        _edit(call, lambda raw: change(raw["scorecard"]))

    def bad_top(call: Path, rng: random.Random) -> None:
        key, value = rng.choice([("schema", 99), ("timeline", {}), ("scorecards", "x"),
                                 ("scorecard", [1]), ("call_id", {"x": 1}), ("trainee", None)])
        _edit(call, lambda raw: raw.update({key: value}))

    def not_utf8(call: Path, rng: random.Random) -> None:
        data = bytearray((call / "call.json").read_bytes())
        data[rng.randrange(len(data))] = 0xFF
        (call / "call.json").write_bytes(bytes(data))

    def hostile_scenario(call: Path, rng: random.Random) -> None:
        (call / "scenario.yaml").write_text(rng.choice([BOMB, "id: &a [*a]\n", "x: " + "[" * 500, ""]))

    def linked_wav(call: Path, rng: random.Random) -> None:
        (call / "call.wav").unlink(missing_ok=True)
        (call / "call.wav").symlink_to(rng.choice([Path("/dev/zero"), outside / "secret.txt"]))

    def linked_json(call: Path, rng: random.Random) -> None:
        name = rng.choice(["call.json", "scenario.yaml", ".lock"])
        (call / name).unlink(missing_ok=True)
        (call / name).symlink_to(outside / ("planted" if name == ".lock" else "secret.txt"))

    def planted_temp(call: Path, rng: random.Random) -> None:
        (call / f".call.json.{os.getpid()}.{rng.randrange(10**6)}.tmp").symlink_to(outside / "secret.txt")

    def killed_writer(call: Path, rng: random.Random) -> None:
        # As save_scorecard writes it: a new card, and the same card appended to the history.
        raw = json.loads((call / "call.json").read_text(encoding="utf-8"))
        card = {**raw["scorecard"], "score": 1.5}
        raw.update(scorecard=card, scorecards=[*raw["scorecards"], {"source": "rescore", "scorecard": card}])
        text = json.dumps(raw)
        partial = rng.random() < 0.3
        (call / f".call.json.{_dead_pid()}.77.tmp").write_text(text[:200] if partial else text)
        if not partial:
            (call / ".expect-recovered").write_text("1.5")

    return [cut, no_call_json, deep, bad_event, huge_time, bad_card, bad_top, not_utf8,
            hostile_scenario, linked_wav, linked_json, planted_temp, killed_writer]


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def make_good_call(work: Path) -> Path:
    import cli

    out = work / "seed-call"
    code = cli.main(["simulate", "broadband-slow-en", "--answers", str(POOR), "--asr", "text",
                     "--out", str(out)])
    if code != 0:
        raise RuntimeError("the seed call could not be simulated")
    (call,) = [p for p in out.iterdir() if p.is_dir()]
    return call


def fuzz_calls(work: Path, seed: int, count: int) -> tuple[Tally, int, int]:
    """The tally, how many good things were lost, and how many outside files changed."""
    from contextlib import redirect_stdout
    from io import StringIO

    from roleplay.archive.calls import read_call
    from roleplay.qa.replay import build_script, render
    from roleplay.qa.report import build_report
    from roleplay.qa.rescore import Options, rescore_all, rescore_call

    rng = random.Random(seed)
    with redirect_stdout(StringIO()):
        good = make_good_call(work)
    outside = work / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the archive\n")
    shutil.copytree(good, outside / "linked-call")
    archive = work / "archive"
    archive.mkdir()
    kinds = corruptions(outside)
    intact: list[Path] = []
    for n in range(count):
        call = archive / f"call-{n:03d}"
        shutil.copytree(good, call)
        if n % 5 == 0:
            intact.append(call)
        else:
            kinds[(n // 5 * 4 + n % 5 - 1) % len(kinds)](call, rng)
    (archive / "zz-linked").symlink_to(outside / "linked-call", target_is_directory=True)
    (archive / "zz-loop").symlink_to(archive, target_is_directory=True)
    before = digest(outside)
    tally = Tally()   # one outcome per folder: the worst of reading, replay, report, scoring
    for call in sorted(archive.iterdir()):
        seen = []
        for name, work_on in (("read+replay", lambda c=call: render(build_script(read_call(c)))),
                              ("report", lambda c=call: build_report(read_call(c))),
                              ("score", lambda c=call: _fails(rescore_call(c, Options(save=False))))):
            outcome, detail = attempt(work_on)
            seen.append((("clean", "crash", "hang").index(outcome), f"{call.name} {name}: {detail}"))
        worst = max(seen)
        tally.add(("clean", "crash", "hang")[worst[0]], worst[1])
    results: list[Any] = []
    outcome, detail = attempt(lambda: results.extend(rescore_all([archive], jobs=2)))
    if outcome != "clean" or len(results) != count:   # the batch itself: every folder, once
        tally.add("crash" if outcome == "clean" else outcome, f"rescore batch: {detail} {len(results)} results")
    lost = sum(not _rescored(call) for call in intact)
    lost += sum(_recovery_missed(call) for call in archive.iterdir() if (call / ".expect-recovered").exists())
    changed = digest(outside)
    outside_writes = sum(changed.get(k) != v for k, v in before.items()) + len(set(changed) - set(before))
    return tally, lost, outside_writes


def _fails(result: Any) -> None:
    if result.error:
        raise RoleplayError(result.error)   # one line: a clean outcome


def _rescored(call: Path) -> bool:
    history = json.loads((call / "call.json").read_text(encoding="utf-8"))["scorecards"]
    return [h["source"] for h in history] == ["live", "rescore"]


def _recovery_missed(call: Path) -> bool:
    history = json.loads((call / "call.json").read_text(encoding="utf-8"))["scorecards"]
    return not any((h.get("scorecard") or {}).get("score") == 1.5 for h in history)


# --- driver -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    scenarios: Tally
    calls: Tally
    lost: int
    outside_writes: int
    seconds: float

    def table(self) -> str:
        rows = ["| input | tried | clean error or OK | crash | hang | lost |", "|---|---|---|---|---|---|"]
        for name, tally, lost in (("scenario mutants", self.scenarios, 0), ("corrupted call folders", self.calls, self.lost)):
            o = tally.outcomes
            rows.append(f"| {name} | {tally.tried} | {o['clean']} | {o['crash']} | {o['hang']} | {lost} |")
        return "\n".join(rows) + f"\n\nwrites outside the archive: {self.outside_writes}; {self.seconds:.1f} s"


def run(seed: int = 12, scenarios: int = 300, calls: int = 60) -> Figures:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        work = Path(tmp)
        (work / "scenarios").mkdir()
        scenario_tally = fuzz_scenarios(work / "scenarios", seed, scenarios)
        call_tally, lost, outside = fuzz_calls(work, seed, calls)
    return Figures(scenario_tally, call_tally, lost, outside, time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--scenarios", type=int, default=300)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    figures = run(args.seed, args.scenarios, args.calls)
    print(figures.table())
    for what in figures.scenarios.crashes + figures.calls.crashes:
        print("  ", what)
    bad = figures.scenarios.outcomes["crash"] + figures.scenarios.outcomes["hang"]
    bad += figures.calls.outcomes["crash"] + figures.calls.outcomes["hang"]
    return 1 if bad or figures.lost or figures.outside_writes else 0


if __name__ == "__main__":
    sys.exit(main())
