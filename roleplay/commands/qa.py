"""`roleplay` commands for QA and the web app: rescore, replay, report, serve, accounts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from roleplay.commands.registry import command, reads_one_call
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_
from roleplay.model.message import Msg


# --- rescore / replay / report (QA) -------------------------------------------------------
def configure_rescore(p: argparse.ArgumentParser) -> None:
    p.add_argument("archives", nargs="+", type=Path, metavar="ARCHIVE", help=N_("call folders or folders of them"))
    p.add_argument("--jobs", type=int, default=2, help=N_("worker processes (default 2)"))
    p.add_argument("--rubric", type=Path, help=N_("a centre's rubric YAML (default: the built-in rubric)"))
    p.add_argument("--retranscribe", choices=["whisper"],
                   help=N_("hear the trainee channel of call.wav again turn by turn and score that text "
                        "(kept in retranscript.json; the live transcript is not changed)"))
    p.add_argument("--model", type=Path, help=N_("the faster-whisper model folder for --retranscribe"))
    p.add_argument("--json", action="store_true", help=N_("one JSON object per call, one per line"))
    p.add_argument("--db", help=N_("records database kept in step (default: $ROLEPLAY_DB or the local file)"))


@command("rescore", N_("QA: re-score archived calls with the current phrasebank and rubric (history kept)"),
         configure_rescore)
def run_rescore(args: argparse.Namespace) -> int:
    import json

    from roleplay.model.i18n import translator
    from roleplay.qa.rescore import Options, Progress, call_dirs, rescore_all
    from roleplay.records.progress import RecordBatch

    lang = args.ui_lang or "en"      # a batch of calls: the interface's language
    _ = translator(lang).gettext
    if args.model and not args.retranscribe:
        raise RoleplayError(Msg("rescore: --model is for --retranscribe whisper; add it or drop --model"))
    options = Options(rubric=args.rubric, retranscribe=args.retranscribe, model=args.model)
    results = rescore_all(args.archives, options, jobs=max(1, args.jobs))  # a missing model fails here
    total = sum(1 for _ in call_dirs(args.archives))
    progress = Progress(total)
    records = RecordBatch(args.db)   # the database follows the archive's new cards
    failed = 0
    try:
        for result in results:
            failed += not result.ok
            if result.record is not None:
                records.add(result.record)
            print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.line(lang), flush=True)
            progress.step()
    finally:
        records.close()
    print(_("{done} re-scored, {failed} failed").format(done=total - failed, failed=failed), file=sys.stderr)
    return 1 if failed else 0


def configure_replay(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help=N_("an archived call folder"))
    p.add_argument("--from", dest="from_turn", type=int, default=0, metavar="TURN", help=N_("start at this turn"))
    p.add_argument("--speed", type=float, default=1.0, help=N_("printing speed without audio (2 = twice as fast)"))
    p.add_argument("--no-audio", action="store_true", help=N_("print the annotated transcript at once"))
    p.add_argument("--output", dest="output_device", help=N_("headphones: device name or index"))


@command("replay", N_("QA: replay a call's transcript in time, with each score marked where it was earned or lost"),
         configure_replay)
@reads_one_call
def run_replay(args: argparse.Namespace) -> int:
    from roleplay.archive.calls import read_call
    from roleplay.qa.replay import build_script, play_audio_from, play_script, render

    call = read_call(args.call_dir)
    cues = build_script(call, from_turn=args.from_turn, lang=args.ui_lang)
    if args.no_audio:
        print(render(cues), end="")
        return 0
    if args.speed <= 0:
        raise RoleplayError(Msg("replay: --speed must be above 0 (use --no-audio to print at once)"))
    if call.wav_path is None or args.speed != 1.0:
        if call.wav_path is None:
            from roleplay.model.i18n import translator

            _ = translator(args.ui_lang or str(call.scenario.language)).gettext
            print(_("(no call.wav in {path}: text only)").format(path=args.call_dir), file=sys.stderr)
        play_script(cues, speed=args.speed)
        return 0
    from roleplay.model.errors import AudioError

    start = cues[0].t_ms if cues else 0
    try:
        sink, length_ms = play_audio_from(call.wav_path, start, args.output_device)
    except AudioError as error:
        raise RoleplayError(Msg("replay: cannot play audio ({error}); add --no-audio to print the transcript",
                                error=error.text)) from None
    try:
        play_script(cues, clock=sink.played_ms, end_ms=length_ms)
        sink.wait()
    finally:
        sink.close()
    return 0


def configure_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help=N_("an archived call folder"))
    p.add_argument("--html", type=Path, required=True, metavar="FILE", help=N_("the HTML file to write"))
    p.add_argument("--db", help=N_("records database with the call's reviews (default: $ROLEPLAY_DB or the local file)"))


@command("report", N_("QA: one self-contained HTML page of a call (audio, timeline, transcript, scorecard)"),
         configure_report)
@reads_one_call
def run_report(args: argparse.Namespace) -> int:
    from roleplay.archive.calls import read_call
    from roleplay.qa.report import write_report
    from roleplay.records.reviews import recorded_standing

    call = read_call(args.call_dir)
    from roleplay.model.i18n import translator

    path = write_report(call, args.html, recorded_standing(args.db, call.call_id), args.ui_lang)
    _ = translator(args.ui_lang or str(call.scenario.language)).gettext
    print(_("report written to {path}").format(path=path))
    return 0


# --- serve --------------------------------------------------------------------------------
def configure_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help=N_("beyond 127.0.0.1, stations sign in (roleplay accounts)"))
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--db", help=N_("records database URL (default: the per-user SQLite file)"))
    p.add_argument("--calls", type=Path, default=Path("calls"), help=N_("call archive folder (default: ./calls)"))
    p.add_argument("--scenarios", type=Path, help=N_("scenario folder (default: the shipped library)"))
    p.add_argument("--abandon-s", type=float, default=60.0,
                   help=N_("a station unseen this long has gone: its call ends as hung up"))
    p.add_argument("--headset", action="store_true",
                   help=N_("the server runs at the station: calls may be answered on its own headset"))
    p.add_argument("--input", dest="input_device", help=N_("with --headset: microphone name or index"))
    p.add_argument("--output", dest="output_device", help=N_("with --headset: headphones name or index"))
    p.add_argument("--model", type=Path, help=N_("with --headset: Vosk model folder (default: the installed one)"))


@command("serve", N_("the agent desktop: a web server for trainee stations (CRM, knowledge base, wrap-up)"),
         configure_serve)
def run_serve(args: argparse.Namespace) -> int:
    from roleplay.web.desk_headset import HeadsetConfig
    from roleplay.web.serve import serve

    headset = HeadsetConfig(args.input_device, args.output_device, args.model) if args.headset else None
    serve(args.host, args.port, args.calls, args.db, args.scenarios, args.abandon_s, headset)
    return 0


# --- accounts -----------------------------------------------------------------------------
def configure_accounts(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["add"])
    p.add_argument("username")
    p.add_argument("--role", choices=["trainee", "trainer", "qa"], default="trainee")
    p.add_argument("--password", help=N_("(default: read from standard input, or asked for)"))
    p.add_argument("--lang", choices=["en", "zh"],
                   help=N_("the account's interface language (default: the browser's); a station's switch still wins"))
    p.add_argument("--db", help=N_("records database URL (default: the per-user SQLite file)"))


@command("accounts", N_("sign-in accounts for `roleplay serve` stations: add NAME --role trainee|trainer|qa"),
         configure_accounts)
def run_accounts(args: argparse.Namespace) -> int:
    import getpass

    from roleplay.records.store import open_store
    from roleplay.web.accounts import Accounts

    password = args.password
    if password is None:
        from roleplay.model.i18n import translator

        password = getpass.getpass(translator(args.ui_lang or "en").gettext("password: ")) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    with open_store(args.db) as store:
        made = Accounts(store).add(args.username, args.role, password, args.lang)
    from roleplay.model.i18n import translator

    _ = translator(args.ui_lang or "en").gettext
    print(_("account {name} ({role}{lang}) saved").format(name=made.username, role=made.role,
                                                          lang=", " + made.lang if made.lang else ""))
    return 0
