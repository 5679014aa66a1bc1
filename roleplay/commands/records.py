"""`roleplay` commands over the records and training: score, export, progress, leaderboard,
drill, scenario from-call, review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from roleplay.commands.registry import command, reads_one_call
from roleplay.model.errors import RoleplayError
from roleplay.model.i18n import N_
from roleplay.model.message import Msg

if TYPE_CHECKING:
    from roleplay.records.store import Store


# --- score --------------------------------------------------------------------------------
def configure_score(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help=N_("an archived call folder"))
    p.add_argument("--json", action="store_true", help=N_("print the scorecard as JSON"))
    p.add_argument("--rubric", type=Path, help=N_("a centre's rubric YAML (default: the built-in rubric)"))
    p.add_argument("--save", action="store_true", help=N_("store the new scorecard in the archive (history kept)"))
    p.add_argument("--quiet", action="store_true", help=N_("only the items and total, no evidence lines"))
    p.add_argument("--db", help=N_("with --save: records database URL (default: $ROLEPLAY_DB or the local file)"))


@command("score", N_("re-score an archived call; exit 0 scored, 1 when the call cannot be scored"),
         configure_score)
@reads_one_call
def run_score(args: argparse.Namespace) -> int:
    import json

    from phrasebank import load_phrasebank
    from roleplay.archive.calls import read_call, save_scorecard
    from scoring.rubric import load_rubric
    from scoring.scorecard import score
    from scoring.view import render_scorecard

    call = read_call(args.call_dir)
    bank = load_phrasebank(str(call.scenario.language))
    card = score(call.timeline, call.scenario, bank, load_rubric(args.rubric), call_id=call.call_id,
                 ui_lang=args.ui_lang)
    if args.save:
        from roleplay.records.progress import record_attempt

        save_scorecard(args.call_dir, card.to_json(), "roleplay score")
        record_attempt(args.call_dir, args.db, args.ui_lang)   # the records follow the archive's new card
    if args.json:
        print(json.dumps(card.to_json(), ensure_ascii=False))
    else:
        print(render_scorecard(card, evidence=not args.quiet), end="")
    return 0 if card.status == "scored" else 1


# --- export -------------------------------------------------------------------------------
def configure_export(p: argparse.ArgumentParser) -> None:
    from roleplay.records.exports import DEFAULT_BASE_IRI

    p.add_argument("--csv", type=Path, help=N_("one row per attempt"))
    p.add_argument("--items-csv", type=Path, help=N_("one row per scored item"))
    p.add_argument("--xapi", type=Path, help=N_("xAPI 1.0.3 statements (a JSON list)"))
    p.add_argument("--db", help=N_("records database URL (default: $ROLEPLAY_DB or the local file)"))
    p.add_argument("--trainee", help=N_("only this trainee's attempts"))
    p.add_argument("--base-iri", default=DEFAULT_BASE_IRI, help=N_("IRI prefix for xAPI ids"))
    p.add_argument("--excel", action="store_true", help=N_("CSV with a BOM so Excel shows Chinese"))


@command("export", N_("attempts and item scores as CSV, or as xAPI statements for an LMS"),
         configure_export)
def run_export(args: argparse.Namespace) -> int:
    if not (args.csv or args.items_csv or args.xapi):
        raise RoleplayError(Msg("export: say what to write: --csv FILE, --items-csv FILE or --xapi FILE"))
    from roleplay.model.i18n import translator
    from roleplay.records.exports import write_attempts_csv, write_items_csv, write_xapi
    from roleplay.records.store import open_store

    lang = args.ui_lang or "en"     # many calls, many languages: the header follows the interface
    _ = translator(lang).gettext
    with open_store(args.db) as store:
        try:
            if args.csv:
                n = write_attempts_csv(store, args.csv, args.trainee, args.excel, lang)
                print(_("{path}: {n} attempt(s)").format(path=args.csv, n=n), file=sys.stderr)
            if args.items_csv:
                n = write_items_csv(store, args.items_csv, args.trainee, args.excel, lang)
                print(_("{path}: {n} item row(s)").format(path=args.items_csv, n=n), file=sys.stderr)
            if args.xapi:
                n = write_xapi(store, args.xapi, args.base_iri, args.trainee)
                print(_("{path}: {n} statement(s)").format(path=args.xapi, n=n), file=sys.stderr)
        except OSError as error:
            raise RoleplayError(Msg("{path}: cannot write ({reason})", path=error.filename,
                                    reason=error.strerror)) from None
    return 0


# --- progress, leaderboard, drill, scenario from-call (docs/curriculum.md) -----------------
def configure_progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("trainee", metavar="TRAINEE", help=N_("trainee id, as given to `roleplay run --trainee`"))
    p.add_argument("--db", help=N_("records database URL (default: $ROLEPLAY_DB or the local file)"))
    p.add_argument("--curriculum", type=Path, help=N_("a curriculum YAML (default: the library's curriculum/)"))
    p.add_argument("--window", type=int, default=3, help=N_("calls compared at the start and end of the trend"))
    p.add_argument("--json", action="store_true", help=N_("print the record as JSON"))


@command("progress", N_("a trainee's levels, badges, certification tier, trends and weakest skills"),
         configure_progress)
def run_progress(args: argparse.Namespace) -> int:
    import json

    from roleplay.records.progress import progress_json, render_progress, trainee_progress

    progress = trainee_progress(args.trainee, args.db, args.curriculum, max(args.window, 1))
    if args.json:
        print(json.dumps(progress_json(progress), ensure_ascii=False))
    else:
        langs = {c.curriculum.language for c in progress.curricula}
        from roleplay.model.i18n import normalise

        lang = args.ui_lang or normalise(langs.pop() if len(langs) == 1 else None)   # one curriculum's language
        print(render_progress(progress, max(args.window, 1), lang), end="")
    return 0


def configure_leaderboard(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help=N_("records database URL (default: $ROLEPLAY_DB or the local file)"))
    p.add_argument("--lang", choices=["en", "zh"], help=N_("only calls and the curriculum in this language"))
    p.add_argument("--curriculum", type=Path, help=N_("a curriculum YAML (default: the library's curriculum/)"))
    p.add_argument("--json", action="store_true", help=N_("print the ranking as JSON"))


@command("leaderboard", N_("trainees ranked by levels passed, average score and badges"),
         configure_leaderboard)
def run_leaderboard(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from roleplay.records.progress import leaderboard, render_leaderboard

    rows = leaderboard(args.db, args.lang, args.curriculum)
    text = render_leaderboard(rows, args.ui_lang or args.lang or "en")   # --lang zh: Chinese calls, Chinese labels
    print(json.dumps([asdict(r) for r in rows], ensure_ascii=False) if args.json else text, end="\n" if args.json else "")
    return 0


def configure_drill(p: argparse.ArgumentParser) -> None:
    from roleplay.training.curriculum import DRILLABLE

    p.add_argument("--category", required=True, choices=DRILLABLE, help=N_("the phrase category to drill"))
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--rounds", type=int, default=20, help=N_("at most this many rounds"))
    p.add_argument("--limit-s", type=float, default=5.0, help=N_("seconds to start each answer"))
    p.add_argument("--fluent", type=int, default=5, help=N_("right answers in a row that end the drill"))
    p.add_argument("--typed", action="store_true", help=N_("type the answers (lines on stdin; scriptable)"))
    p.add_argument("--input", dest="input_device", help=N_("spoken: microphone, device name or index"))
    p.add_argument("--output", dest="output_device", help=N_("spoken: headphones, device name or index"))
    p.add_argument("--asr", choices=["vosk", "whisper"], default="vosk", help=N_("spoken: speech recogniser"))
    p.add_argument("--model", type=Path, help=N_("spoken: ASR model folder (default: the installed Vosk model)"))
    p.add_argument("--seed", type=int, help=N_("fixed order of the customer's lines"))
    p.add_argument("--json", action="store_true", help=N_("print the summary as JSON"))


@command("drill", N_("short single-line exercises for one courtesy phrase; exit 0 once fluent, else 1"),
         configure_drill)
def run_drill(args: argparse.Namespace) -> int:
    from roleplay.training.drill import DrillOptions, drill_command

    if args.rounds < 1 or args.limit_s <= 0 or args.fluent < 1:
        raise RoleplayError(Msg("drill: --rounds and --fluent must be at least 1 and --limit-s above 0"))
    headset = None
    if not args.typed:
        from roleplay.training.drill_voice import HeadsetSetup

        headset = HeadsetSetup(args.input_device, args.output_device, args.asr, args.model)
    options = DrillOptions(args.category, args.lang, args.rounds, args.limit_s, args.fluent, args.seed, args.ui_lang)
    return drill_command(options, as_json=args.json, headset=headset)


def configure_scenario(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["from-call"], help=N_("from-call: a scenario draft from an archived call"))
    p.add_argument("call_dir", type=Path, metavar="CALL_DIR", help=N_("an archived call folder"))
    p.add_argument("-o", "--output", type=Path, help=N_("write the draft here (default: print it)"))


@command("scenario", N_("scenario tools: `scenario from-call CALL_DIR [-o FILE]` drafts a scenario from a call"),
         configure_scenario)
def run_scenario(args: argparse.Namespace) -> int:
    from roleplay.training.from_call import scenario_from_call

    text = scenario_from_call(args.call_dir, args.output)
    if args.output:
        from roleplay.model.i18n import translator

        _ = translator(args.ui_lang or "en").gettext
        print(_("{path}: draft written; edit it, then `roleplay validate {path}`").format(path=args.output),
              file=sys.stderr)
    else:
        print(text, end="")
    return 0


# --- review -------------------------------------------------------------------------------
def configure_review(p: argparse.ArgumentParser) -> None:
    p.add_argument("call", nargs="?", metavar="CALL",
                   help=N_("the call to review or show: its id or its archive folder (omit with --calibration)"))
    p.add_argument("--item", help=N_("the scorecard item to override"))
    p.add_argument("--points", type=float, help=N_("the reviewer's points for --item"))
    p.add_argument("--fail", action="store_true", help=N_("fail the whole call (with --comment saying why)"))
    p.add_argument("--clear-fail", action="store_true", help=N_("withdraw a reviewer's fail"))
    p.add_argument("--reviewer", default="", help=N_("who is reviewing (required to change anything)"))
    p.add_argument("--comment", default="", help=N_("why"))
    p.add_argument("--calibration", action="store_true", help=N_("agreement between reviewers"))
    p.add_argument("--db", help=N_("records database URL (default: $ROLEPLAY_DB or the local file)"))


@command("review", N_("QA: override an item's points or fail a call, with a comment; show a call's "
         "reviews; compare reviewers"), configure_review)
def run_review(args: argparse.Namespace) -> int:
    from roleplay.records.store import open_store

    if not args.calibration and (not args.call or (args.item is None) != (args.points is None)
                                 or (args.fail and args.clear_fail)):
        raise RoleplayError(Msg("review: give CALL (and --item with --points, or --fail / --clear-fail), or --calibration"))
    with open_store(args.db) as store:
        if args.calibration:
            _print_calibration(store, args.ui_lang or "en")
            return 0
        call_id = _recorded_call_id(store, args.call)
        lang = args.ui_lang or _call_language(store, call_id)
        _apply_review(store, call_id, args, lang)
        _print_standing(store, call_id, lang)
    return 0


def _call_language(store: Store, call_id: str) -> str:
    """The call's own language, as its scorecard speaks (English for a call not recorded: the
    review's own error says so)."""
    try:
        return store.attempt(call_id).language or "en"
    except RoleplayError:
        return "en"


def _recorded_call_id(store: Store, call: str) -> str:
    """A call id as given, or a call folder's (recorded first, so the review has its card)."""
    from roleplay.archive.calls import is_call_dir, read_call
    from roleplay.records.progress import recorded_call, write_recorded

    folder = Path(call)
    if not (folder.is_dir() and is_call_dir(folder)):
        return call
    archived = read_call(folder)
    write_recorded(store, [recorded_call(archived)])
    return archived.call_id


def _apply_review(store: Store, call_id: str, args: argparse.Namespace, lang: str) -> None:
    from roleplay.model.i18n import translator
    from roleplay.model.safe_text import for_terminal
    from roleplay.records.reviews import override_item, replaced_by, set_verdict
    from scoring.view import ITEM_TITLES

    _ = translator(lang).gettext
    if args.item is not None:
        review = override_item(store, call_id, args.item, args.reviewer, args.points, args.comment)
        earlier = replaced_by(store.reviews(call_id), review)
        if earlier is not None and earlier.points is not None:
            print(for_terminal(_("{reviewer}'s {points:g} replaces {earlier}'s {earlier_points:g} for {item}"
                                 " (both kept in the history)").format(
                reviewer=review.reviewer, points=review.points, earlier=earlier.reviewer,
                earlier_points=earlier.points, item=_(ITEM_TITLES.get(review.item_id, review.item_id)))))
    if args.fail or args.clear_fail:
        set_verdict(store, call_id, args.reviewer, "fail" if args.fail else "clear", args.comment)


def _print_standing(store: Store, call_id: str, lang: str) -> None:
    from roleplay.model.i18n import translator
    from roleplay.model.safe_text import for_terminal
    from roleplay.records.reviews import effective_score
    from scoring.view import pad_cells

    _ = translator(lang).gettext
    e = effective_score(store, call_id)
    why = ""
    if e.verdict is not None:
        why = _(" (failed by {reviewer}: {comment})").format(reviewer=e.verdict.reviewer, comment=e.verdict.comment)
    elif e.auto_failed:
        why = _(" (auto-fail stands: {items})").format(items=_(", ").join(_item_title(i, lang) for i in e.auto_failed))
    passed = e.passed if lang == "en" or e.passed is None else _("yes") if e.passed else _("no")
    print(for_terminal(_("{call}: automatic {automatic}, effective {score}, passed {passed}{why}").format(
        call=e.call_id, automatic=e.automatic, score=e.score, passed=passed, why=why)))
    for i in e.items:
        note = f"  <- {i.reviewer}: {i.comment}" if i.reviewer else ""
        print(for_terminal(f"  {pad_cells(_item_title(i.item_id, lang), 24)} {i.automatic:g} -> {i.points:g} / "
                           f"{i.max_points:g}{note}"))
    if e.reviewed:
        print(_("history:"))
    for line in e.history_lines(lang):
        print(for_terminal(f"  {line}"))


def _item_title(item_id: str, lang: str) -> str:
    """An item as the reader's language names it (English: its id)."""
    from roleplay.model.i18n import translator
    from scoring.view import ITEM_TITLES

    return translator(lang).gettext(ITEM_TITLES.get(item_id, item_id))


def _print_calibration(store: Store, lang: str) -> None:
    from roleplay.model.i18n import translator
    from roleplay.records.reviews import calibration_report
    from scoring.view import pad_cells

    _ = translator(lang).gettext
    r = calibration_report(store)
    shares = ["-" if x is None else f"{100 * x:.0f}%" for x in (r.reviewers_agree, r.automatic_agree)]
    print(_("{calls} call(s) reviewed, {multi} by 2+ reviewers; reviewers within ±{tolerance:g}: {reviewers}; "
            "within ±{tolerance:g} of automatic: {automatic}").format(
        calls=r.calls_reviewed, multi=r.calls_multi_reviewed, tolerance=r.tolerance, reviewers=shares[0],
        automatic=shares[1]))
    for d in r.items:
        between = "-" if d.between_reviewers is None else f"{d.between_reviewers:.1f}"
        print(f"  {pad_cells(_item_title(d.item_id, lang), 24)} " + _(
            "between reviewers {between:>5} ({pairs} pairs)  vs automatic {automatic:.1f} ({reviews})").format(
            between=between, pairs=d.pairs, automatic=d.vs_automatic, reviews=d.reviews))
