"""The `roleplay` command: parses arguments and calls the library, nothing more.

Library errors (RoleplayError) become one line on stderr and exit 2; `validate` exits 1
when it found problems. Heavy modules are imported inside each command so that
`roleplay validate` starts fast and works without the speech stack.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from roleplay.model.errors import RoleplayError

Handler = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    help: str
    configure: Configure      # adds the command's arguments
    handler: Handler


COMMANDS: dict[str, Command] = {}


def command(name: str, help_text: str, configure: Configure) -> Callable[[Handler], Handler]:
    """Register `roleplay NAME` with the function that adds its arguments."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(help_text, configure, handler)
        return handler

    return register


# --- validate -----------------------------------------------------------------------------
def configure_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario or curriculum files, or folders")


@command("validate", "check scenario YAML files; every problem as file:line:col: message",
         configure_validate)
def run_validate(args: argparse.Namespace) -> int:
    from roleplay.training.validate import format_error, validate_paths

    errors, checked = validate_paths([Path(p) for p in args.paths])
    for error in errors:
        print(format_error(error))
    if errors:
        print(f"{len(errors)} problem(s) in {checked} file(s)", file=sys.stderr)
        return 1
    print(f"{checked} file(s) OK", file=sys.stderr)
    return 0


# --- list ---------------------------------------------------------------------------------
def configure_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", type=Path, help="scenario folder (default: the shipped library)")


@command("list", "the scenario library with language, level and stage", configure_list)
def run_list(args: argparse.Namespace) -> int:
    from roleplay.authoring.library import list_scenarios

    for row in list_scenarios(args.dir):
        print(f"{row.id:32} {row.language:3} level {row.level:<3} {row.stage:10} {row.title}")
    return 0


# --- run ----------------------------------------------------------------------------------
def configure_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file or id")
    p.add_argument("--typed", action="store_true", help="type answers instead of speaking")
    p.add_argument("--input", dest="input_device", help="microphone: device name or index")
    p.add_argument("--output", dest="output_device", help="headphones: device name or index")
    p.add_argument("--trainee", default="trainee", help="trainee id for the records")
    p.add_argument("--model", type=Path, help="Vosk model folder")
    p.add_argument("--out", type=Path, help="archive folder for calls (default: ./calls)")
    p.add_argument("--no-tts", action="store_true", help="typed mode: print the customer, do not speak")
    p.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    p.add_argument("--db", help="records database URL (default: $ROLEPLAY_DB or the local SQLite file)")


@command("run", "play a call: the customer speaks, the trainee answers", configure_run)
def run_run(args: argparse.Namespace) -> int:
    from roleplay.frontends.live import run_call
    from roleplay.frontends.session import RunOptions
    from roleplay.records.progress import record_attempt

    return run_call(RunOptions(
        scenario=args.scenario, typed=args.typed, trainee_id=args.trainee, out_dir=args.out,
        speak=not args.no_tts, input_device=args.input_device, output_device=args.output_device,
        model=args.model, as_json=args.json,
        on_archived=lambda call_dir: record_attempt(call_dir, args.db),
    ))


# --- simulate -----------------------------------------------------------------------------
def configure_simulate(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file or id")
    p.add_argument("--answers", type=Path, required=True, help="ANSWERS.yaml (docs/architecture.md, Contracts)")
    p.add_argument("--asr", choices=["vosk", "whisper", "text"], default="text")
    p.add_argument("--model", type=Path, help="ASR model folder")
    p.add_argument("--out", type=Path, help="archive folder for the call")
    p.add_argument("--json", action="store_true", help="print the scorecard and turns as JSON")
    p.add_argument("--quiet", action="store_true", help="no live transcript")


@command("simulate", "a whole call with a simulated trainee, on the virtual clock",
         configure_simulate)
def run_simulate(args: argparse.Namespace) -> int:
    from roleplay.frontends.simulate import simulate_call

    return simulate_call(args.scenario, args.answers, args.asr, args.model, args.out, args.json, args.quiet)


# --- devices ------------------------------------------------------------------------------
def configure_devices(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", dest="input_device", help="remember this microphone (name or index)")
    p.add_argument("--output", dest="output_device", help="remember these headphones (name or index)")


@command("devices", "audio devices, and the headset this station remembers", configure_devices)
def run_devices(args: argparse.Namespace) -> int:
    from audio.devices import device_table, list_devices, pick_device

    devices = list_devices()
    if args.input_device is not None:
        pick_device(args.input_device, "input", devices)
    if args.output_device is not None:
        pick_device(args.output_device, "output", devices)
    for row in device_table(devices):
        print(row)
    return 0


# --- transcribe ---------------------------------------------------------------------------
def configure_transcribe(p: argparse.ArgumentParser) -> None:
    p.add_argument("audio", nargs="+", type=Path, metavar="AUDIO.wav", help="WAV files")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--asr", choices=["vosk", "whisper"], default="vosk")
    p.add_argument("--model", type=Path, help="model folder (default: the installed one for --lang)")
    p.add_argument("--json", action="store_true", help="one JSON object per file, one per line")


@command("transcribe", "speech to text with word times; a bad file is reported and the batch goes on",
         configure_transcribe)
def run_transcribe(args: argparse.Namespace) -> int:
    import json

    from audio.models import model_path
    from audio.recognizers import transcribe_file
    from roleplay.model.errors import AudioError

    model = args.model if args.model or args.asr != "vosk" else model_path(args.lang)
    failed = 0
    for path in args.audio:
        try:
            transcript = transcribe_file(path, args.lang, args.asr, model)
        except AudioError as error:  # this file only; a model problem stops the batch
            print(f"roleplay: {error}", file=sys.stderr)
            failed += 1
            continue
        if args.json:
            print(json.dumps({"file": str(path), **transcript.as_json()}, ensure_ascii=False), flush=True)
        else:
            print(f"{path}: {transcript.text}" if len(args.audio) > 1 else transcript.text, flush=True)
    return 2 if failed else 0


# --- models -------------------------------------------------------------------------------
def configure_models(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["list", "path", "download"])
    p.add_argument("lang", nargs="?", choices=["en", "zh"], help="language (path, download)")


@command("models", "speech models: list, path LANG, download LANG", configure_models)
def run_models(args: argparse.Namespace) -> int:
    from audio import models

    if args.action == "list":
        installed = models.list_models()
        for m in installed:
            print(f"{m.name:40} {m.language or '?':3} {m.kind:8} {m.path}")
        if not installed:
            print(f"no models in {models.models_dir()}; try `roleplay models download en`", file=sys.stderr)
        return 0
    if not args.lang:
        print(f"roleplay: `roleplay models {args.action}` needs a language: en or zh", file=sys.stderr)
        return 2
    path = models.model_path(args.lang) if args.action == "path" else models.download(args.lang)
    print(path)
    return 0


# --- score --------------------------------------------------------------------------------
def configure_score(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help="an archived call folder")
    p.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    p.add_argument("--rubric", type=Path, help="a centre's rubric YAML (default: the built-in rubric)")
    p.add_argument("--save", action="store_true", help="store the new scorecard in the archive (history kept)")
    p.add_argument("--quiet", action="store_true", help="only the items and total, no evidence lines")


@command("score", "re-score an archived call; exit 0 scored, 1 when the call cannot be scored",
         configure_score)
def run_score(args: argparse.Namespace) -> int:
    import json

    from phrasebank import load_phrasebank
    from roleplay.archive.calls import read_call, save_scorecard
    from scoring.rubric import load_rubric
    from scoring.scorecard import score
    from scoring.view import render_scorecard

    call = read_call(args.call_dir)
    bank = load_phrasebank(str(call.scenario.language))
    card = score(call.timeline, call.scenario, bank, load_rubric(args.rubric), call_id=call.call_id)
    if args.save:
        save_scorecard(args.call_dir, card.to_json(), "roleplay score")
    if args.json:
        print(json.dumps(card.to_json(), ensure_ascii=False))
    else:
        print(render_scorecard(card, evidence=not args.quiet), end="")
    return 0 if card.status == "scored" else 1


# --- export -------------------------------------------------------------------------------
def configure_export(p: argparse.ArgumentParser) -> None:
    from roleplay.records.exports import DEFAULT_BASE_IRI

    p.add_argument("--csv", type=Path, help="one row per attempt")
    p.add_argument("--items-csv", type=Path, help="one row per scored item")
    p.add_argument("--xapi", type=Path, help="xAPI 1.0.3 statements (a JSON list)")
    p.add_argument("--db", help="records database URL (default: $ROLEPLAY_DB or the local file)")
    p.add_argument("--trainee", help="only this trainee's attempts")
    p.add_argument("--base-iri", default=DEFAULT_BASE_IRI, help="IRI prefix for xAPI ids")
    p.add_argument("--excel", action="store_true", help="CSV with a BOM so Excel shows Chinese")


@command("export", "attempts and item scores as CSV, or as xAPI statements for an LMS",
         configure_export)
def run_export(args: argparse.Namespace) -> int:
    if not (args.csv or args.items_csv or args.xapi):
        raise RoleplayError("export: say what to write: --csv FILE, --items-csv FILE or --xapi FILE")
    from roleplay.records.exports import write_attempts_csv, write_items_csv, write_xapi
    from roleplay.records.store import open_store

    with open_store(args.db) as store:
        try:
            if args.csv:
                n = write_attempts_csv(store, args.csv, args.trainee, args.excel)
                print(f"{args.csv}: {n} attempt(s)", file=sys.stderr)
            if args.items_csv:
                n = write_items_csv(store, args.items_csv, args.trainee, args.excel)
                print(f"{args.items_csv}: {n} item row(s)", file=sys.stderr)
            if args.xapi:
                n = write_xapi(store, args.xapi, args.base_iri, args.trainee)
                print(f"{args.xapi}: {n} statement(s)", file=sys.stderr)
        except OSError as error:
            raise RoleplayError(f"{error.filename}: cannot write ({error.strerror})") from None
    return 0


# --- progress, leaderboard, drill, scenario from-call (docs/curriculum.md) -----------------
def configure_progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("trainee", metavar="TRAINEE", help="trainee id, as given to `roleplay run --trainee`")
    p.add_argument("--db", help="records database URL (default: $ROLEPLAY_DB or the local file)")
    p.add_argument("--curriculum", type=Path, help="a curriculum YAML (default: the library's curriculum/)")
    p.add_argument("--window", type=int, default=3, help="calls compared at the start and end of the trend")
    p.add_argument("--json", action="store_true", help="print the record as JSON")


@command("progress", "a trainee's levels, badges, certification tier, trends and weakest skills",
         configure_progress)
def run_progress(args: argparse.Namespace) -> int:
    import json

    from roleplay.records.progress import progress_json, render_progress, trainee_progress

    progress = trainee_progress(args.trainee, args.db, args.curriculum, max(args.window, 1))
    if args.json:
        print(json.dumps(progress_json(progress), ensure_ascii=False))
    else:
        print(render_progress(progress, max(args.window, 1)), end="")
    return 0


def configure_leaderboard(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="records database URL (default: $ROLEPLAY_DB or the local file)")
    p.add_argument("--lang", choices=["en", "zh"], help="only calls and the curriculum in this language")
    p.add_argument("--curriculum", type=Path, help="a curriculum YAML (default: the library's curriculum/)")
    p.add_argument("--json", action="store_true", help="print the ranking as JSON")


@command("leaderboard", "trainees ranked by levels passed, average score and badges",
         configure_leaderboard)
def run_leaderboard(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from roleplay.records.progress import leaderboard, render_leaderboard

    rows = leaderboard(args.db, args.lang, args.curriculum)
    print(json.dumps([asdict(r) for r in rows], ensure_ascii=False) if args.json else render_leaderboard(rows), end="\n" if args.json else "")
    return 0


def configure_drill(p: argparse.ArgumentParser) -> None:
    from roleplay.training.curriculum import DRILLABLE

    p.add_argument("--category", required=True, choices=DRILLABLE, help="the phrase category to drill")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--rounds", type=int, default=20, help="at most this many rounds")
    p.add_argument("--limit-s", type=float, default=5.0, help="seconds to start each answer")
    p.add_argument("--fluent", type=int, default=5, help="right answers in a row that end the drill")
    p.add_argument("--typed", action="store_true", help="type the answers (lines on stdin; scriptable)")
    p.add_argument("--input", dest="input_device", help="spoken: microphone, device name or index")
    p.add_argument("--output", dest="output_device", help="spoken: headphones, device name or index")
    p.add_argument("--asr", choices=["vosk", "whisper"], default="vosk", help="spoken: speech recogniser")
    p.add_argument("--model", type=Path, help="spoken: ASR model folder (default: the installed Vosk model)")
    p.add_argument("--seed", type=int, help="fixed order of the customer's lines")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


@command("drill", "short single-line exercises for one courtesy phrase; exit 0 once fluent, else 1",
         configure_drill)
def run_drill(args: argparse.Namespace) -> int:
    from roleplay.training.drill import DrillOptions, drill_command

    if args.rounds < 1 or args.limit_s <= 0 or args.fluent < 1:
        raise RoleplayError("drill: --rounds and --fluent must be at least 1 and --limit-s above 0")
    headset = None
    if not args.typed:
        from roleplay.training.drill_voice import HeadsetSetup

        headset = HeadsetSetup(args.input_device, args.output_device, args.asr, args.model)
    options = DrillOptions(args.category, args.lang, args.rounds, args.limit_s, args.fluent, args.seed)
    return drill_command(options, as_json=args.json, headset=headset)


def configure_scenario(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["from-call"], help="from-call: a scenario draft from an archived call")
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help="an archived call folder")
    p.add_argument("-o", "--output", type=Path, help="write the draft here (default: print it)")


@command("scenario", "scenario tools: `scenario from-call CALL_DIR [-o FILE]` drafts a scenario from a call",
         configure_scenario)
def run_scenario(args: argparse.Namespace) -> int:
    from roleplay.training.from_call import scenario_from_call

    text = scenario_from_call(args.call_dir, args.output)
    if args.output:
        print(f"{args.output}: draft written; edit it, then `roleplay validate {args.output}`", file=sys.stderr)
    else:
        print(text, end="")
    return 0


# --- phrases ------------------------------------------------------------------------------
def configure_phrases(p: argparse.ArgumentParser) -> None:
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the words to check")
    source.add_argument("--audio", nargs="+", type=Path, metavar="AUDIO.wav", help="WAV files to transcribe first")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--asr", choices=["vosk", "whisper"], default="vosk")
    p.add_argument("--model", type=Path, help="ASR model folder (default: the installed one for --lang)")
    p.add_argument("--phrasebank", type=Path, help="a centre's override phrasebank YAML")
    p.add_argument("--json", action="store_true", help="one JSON object per text or file, one per line")


@command("phrases", "courtesy, forbidden and filler phrases found in text or speech",
         configure_phrases)
def run_phrases(args: argparse.Namespace) -> int:
    import json

    from phrasebank import load_phrasebank
    from scoring.phrases import phrases_json

    bank = load_phrasebank(args.lang, args.phrasebank)
    inputs: list[tuple[str | None, str]] = [(None, args.text)] if args.text is not None else []
    if args.audio:
        from audio.models import model_path
        from audio.recognizers import transcribe_file

        model = args.model if args.model or args.asr != "vosk" else model_path(args.lang)
        inputs = [(str(path), transcribe_file(path, args.lang, args.asr, model).text) for path in args.audio]
    for name, text in inputs:
        result = phrases_json(text, bank)
        if args.json:
            print(json.dumps({**({"file": name} if name else {}), **result}, ensure_ascii=False), flush=True)
            continue
        print(f"{name}: {text}" if name else text)
        for m in result["matches"]:  # type: ignore[attr-defined]
            print(f"  {m['category']:18} {m['text']!r:28} ~ {m['phrase']!r} ({m['score']:.0f}, {m['tier']})")
        if not result["matches"]:
            print("  (no phrases found)")
    return 0


# --- review -------------------------------------------------------------------------------
def configure_review(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_id", nargs="?", help="the call to review or show (omit with --calibration)")
    p.add_argument("--item", help="the scorecard item to override")
    p.add_argument("--points", type=float, help="the reviewer's points for --item")
    p.add_argument("--reviewer", default="", help="who is reviewing (required to override)")
    p.add_argument("--comment", default="", help="why")
    p.add_argument("--calibration", action="store_true", help="agreement between reviewers")
    p.add_argument("--db", help="records database URL (default: $ROLEPLAY_DB or the local file)")


@command("review", "QA: override an item's points with a comment, or compare reviewers",
         configure_review)
def run_review(args: argparse.Namespace) -> int:
    from roleplay.records.reviews import calibration_report, effective_score, override_item
    from roleplay.records.store import open_store

    if not args.calibration and (not args.call_id or (args.item is None) != (args.points is None)):
        raise RoleplayError("review: give CALL_ID (and --item with --points to override), or --calibration")
    with open_store(args.db) as store:
        if args.calibration:
            r = calibration_report(store)
            shares = ["-" if x is None else f"{100 * x:.0f}%" for x in (r.reviewers_agree, r.automatic_agree)]
            print(f"{r.calls_reviewed} call(s) reviewed, {r.calls_multi_reviewed} by 2+ reviewers; "
                  f"reviewers within ±{r.tolerance:g}: {shares[0]}; "
                  f"within ±{r.tolerance:g} of automatic: {shares[1]}")
            for d in r.items:
                between = "-" if d.between_reviewers is None else f"{d.between_reviewers:.1f}"
                print(f"  {d.item_id:24} between reviewers {between:>5} ({d.pairs} pairs)  "
                      f"vs automatic {d.vs_automatic:.1f} ({d.reviews})")
            return 0
        if args.item is not None:
            override_item(store, args.call_id, args.item, args.reviewer, args.points, args.comment)
        e = effective_score(store, args.call_id)
        from roleplay.model.safe_text import for_terminal

        print(for_terminal(f"{e.call_id}: automatic {e.automatic}, effective {e.score}, passed {e.passed}"))
        for i in e.items:
            note = f"  <- {i.reviewer}: {i.comment}" if i.reviewer else ""
            print(for_terminal(f"  {i.item_id:24} {i.automatic:g} -> {i.points:g} / {i.max_points:g}{note}"))
    return 0


# --- rescore / replay / report (QA) -------------------------------------------------------
def configure_rescore(p: argparse.ArgumentParser) -> None:
    p.add_argument("archives", nargs="+", type=Path, metavar="ARCHIVE", help="call folders or folders of them")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--rubric", type=Path, help="a centre's rubric YAML (default: the built-in rubric)")
    p.add_argument("--retranscribe", choices=["whisper"],
                   help="hear the trainee channel of call.wav again turn by turn and score that text "
                        "(kept in retranscript.json; the live transcript is not changed)")
    p.add_argument("--model", type=Path, help="the faster-whisper model folder for --retranscribe")
    p.add_argument("--json", action="store_true", help="one JSON object per call, one per line")


@command("rescore", "QA: re-score archived calls with the current phrasebank and rubric (history kept)",
         configure_rescore)
def run_rescore(args: argparse.Namespace) -> int:
    import json

    from roleplay.qa.rescore import Options, Progress, call_dirs, rescore_all

    if args.model and not args.retranscribe:
        raise RoleplayError("rescore: --model is for --retranscribe whisper; add it or drop --model")
    options = Options(rubric=args.rubric, retranscribe=args.retranscribe, model=args.model)
    results = rescore_all(args.archives, options, jobs=max(1, args.jobs))  # a missing model fails here
    total = sum(1 for _ in call_dirs(args.archives))
    progress = Progress(total)
    failed = 0
    for result in results:
        failed += not result.ok
        print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.line(), flush=True)
        progress.step()
    print(f"{total - failed} re-scored, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def configure_replay(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help="an archived call folder")
    p.add_argument("--from", dest="from_turn", type=int, default=0, metavar="TURN", help="start at this turn")
    p.add_argument("--speed", type=float, default=1.0, help="printing speed without audio (2 = twice as fast)")
    p.add_argument("--no-audio", action="store_true", help="print the annotated transcript at once")
    p.add_argument("--output", dest="output_device", help="headphones: device name or index")


@command("replay", "QA: replay a call's transcript in time, with each score marked where it was earned or lost",
         configure_replay)
def run_replay(args: argparse.Namespace) -> int:
    from roleplay.archive.calls import read_call
    from roleplay.qa.replay import build_script, play_audio_from, play_script, render

    call = read_call(args.call_dir)
    cues = build_script(call, from_turn=args.from_turn)
    if args.no_audio:
        print(render(cues), end="")
        return 0
    if args.speed <= 0:
        raise RoleplayError("replay: --speed must be above 0 (use --no-audio to print at once)")
    if call.wav_path is None or args.speed != 1.0:
        if call.wav_path is None:
            print(f"(no call.wav in {args.call_dir}: text only)", file=sys.stderr)
        play_script(cues, speed=args.speed)
        return 0
    from roleplay.model.errors import AudioError

    start = cues[0].t_ms if cues else 0
    try:
        sink = play_audio_from(call.wav_path, start, args.output_device)
    except AudioError as error:
        raise RoleplayError(f"replay: cannot play audio ({error}); add --no-audio to print the transcript") from None
    try:
        play_script(cues, clock=sink.played_ms)
        sink.wait()
    finally:
        sink.close()
    return 0


def configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help="an archived call folder")
    p.add_argument("--html", type=Path, required=True, metavar="FILE", help="the HTML file to write")


@command("report", "QA: one self-contained HTML page of a call (audio, timeline, transcript, scorecard)",
         configure_report)
def run_report(args: argparse.Namespace) -> int:
    from roleplay.archive.calls import read_call
    from roleplay.qa.report import write_report

    path = write_report(read_call(args.call_dir), args.html)
    print(f"report written to {path}")
    return 0


# --- serve --------------------------------------------------------------------------------
def configure_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="beyond 127.0.0.1, stations sign in (roleplay accounts)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--db", help="records database URL (default: the per-user SQLite file)")
    p.add_argument("--calls", type=Path, default=Path("calls"), help="call archive folder (default: ./calls)")
    p.add_argument("--scenarios", type=Path, help="scenario folder (default: the shipped library)")
    p.add_argument("--abandon-s", type=float, default=60.0,
                   help="a station unseen this long has gone: its call ends as hung up")


@command("serve", "the agent desktop: a web server for trainee stations (CRM, knowledge base, wrap-up)",
         configure_serve)
def run_serve(args: argparse.Namespace) -> int:
    from roleplay.web.serve import serve

    serve(args.host, args.port, args.calls, args.db, args.scenarios, args.abandon_s)
    return 0


# --- accounts -----------------------------------------------------------------------------
def configure_accounts(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["add"])
    p.add_argument("username")
    p.add_argument("--role", choices=["trainee", "trainer", "qa"], default="trainee")
    p.add_argument("--password", help="(default: read from standard input, or asked for)")
    p.add_argument("--db", help="records database URL (default: the per-user SQLite file)")


@command("accounts", "sign-in accounts for `roleplay serve` stations: add NAME --role trainee|trainer|qa",
         configure_accounts)
def run_accounts(args: argparse.Namespace) -> int:
    import getpass

    from roleplay.records.store import open_store
    from roleplay.web.accounts import Accounts

    password = args.password
    if password is None:
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    with open_store(args.db) as store:
        made = Accounts(store).add(args.username, args.role, password)
    print(f"account {made.username} ({made.role}) saved")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roleplay", description=__doc__.splitlines()[0] if __doc__ else "")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, entry in COMMANDS.items():
        sub = subparsers.add_parser(name, help=entry.help, description=entry.help)
        entry.configure(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(COMMANDS[args.command].handler(args))
    except RoleplayError as error:
        print(f"roleplay: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("roleplay: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
