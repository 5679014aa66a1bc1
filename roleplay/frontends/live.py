"""`roleplay run`: a live call, typed (--typed) or spoken on the headset."""

from __future__ import annotations

import shutil
import sys

from roleplay.authoring.library import open_scenario
from roleplay.frontends.session import (
    CallParts,
    RunOptions,
    SessionOptions,
    SessionResult,
    default_archive_root,
    run_session,
)
from roleplay.frontends.transcript import print_call_result, transcript_printer
from roleplay.frontends.typed import PrintedVoice, TypedTrainee
from roleplay.model.clock import Clock, SystemClock, VirtualClock
from roleplay.model.errors import AudioError
from roleplay.model.events import Timeline
from roleplay.model.i18n import N_, localise, translator
from roleplay.model.ports import CustomerVoice
from roleplay.model.scenario import Scenario


def speaking_voice(scenario: Scenario, output_device: str | None, clock: Clock,
                   lang: str = "en") -> CustomerVoice | None:
    """The TTS customer on the headphones, or None (printed only) when that cannot be had;
    `lang` the language of the warning."""
    _ = translator(lang).gettext
    if not shutil.which("espeak-ng"):
        print(_("espeak-ng is not installed: the customer's lines are printed only"), file=sys.stderr)
        return None
    from audio.customer import SpeakingVoice
    from audio.devices import pick_device
    from audio.playback import SpeakerSink
    from audio.voices import make_synth

    try:
        sink = SpeakerSink(pick_device(output_device, "output"))
    except AudioError as error:
        print(localise(error, lang) + "\n" + _("the customer's lines are printed only"), file=sys.stderr)
        return None
    return SpeakingVoice(scenario, make_synth(), sink, clock)


# The call's heading names its language and stage in the interface's language.
HEADING_LABELS = {v: v for v in (N_("en"), N_("zh"), N_("inquiry"), N_("lookup"), N_("complaint"))}


def run_typed(options: RunOptions) -> SessionResult:
    scenario = open_scenario(options.scenario)
    # A script piped in has no typing to time: a virtual clock plays it without waiting.
    clock: Clock = SystemClock() if sys.stdin.isatty() else VirtualClock()
    timeline = Timeline()
    lang = options.ui_lang or str(scenario.language)
    speaker = speaking_voice(scenario, options.output_device, clock, lang) if options.speak else None
    _ = translator(lang).gettext
    voice = PrintedVoice(sys.stdout, str(scenario.language), scenario.persona.rate_wpm, speaker, lang)
    trainee = TypedTrainee(sys.stdin, sys.stdout, clock, timeline, str(scenario.language), lang)
    print(_("{title}  ({language}, level {level}, {stage})").format(
        title=scenario.title, language=_(HEADING_LABELS.get(scenario.language, scenario.language)),
        level=scenario.level, stage=_(HEADING_LABELS.get(scenario.stage, scenario.stage))))
    print(_("Type each answer and press Enter; an empty line is silence.") if sys.stdin.isatty() else "")
    return run_session(CallParts(scenario, voice, trainee, clock, timeline),
                       SessionOptions(options.out_dir or default_archive_root(), options.trainee_id,
                                      None, transcript_printer(sys.stdout, lang),
                                      on_archived=options.on_archived, ui_lang=lang))


def run_call(options: RunOptions) -> int:

    if options.typed:
        result = run_typed(options)
    else:
        from roleplay.frontends.headset import run_headset_call

        result = run_headset_call(options)
    return print_call_result(result, options.as_json)
