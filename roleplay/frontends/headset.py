"""`roleplay run` on a headset: the customer through the headphones, the trainee through the
microphone into Vosk, recorded to a stereo WAV as the call goes."""

from __future__ import annotations

import sys

from audio.customer import SpeakingVoice
from audio.devices import MicrophoneSource, pick_device
from audio.endpoint import open_endpointer
from audio.listener import Listener, PartialPrinter
from audio.playback import SpeakerSink
from audio.recognizers import open_recognizer
from audio.recorder import StereoRecorder
from audio.voices import make_synth
from roleplay.archive.calls import CallWriter
from roleplay.authoring.library import open_scenario
from roleplay.engine.expectations import NodeExpectations
from roleplay.frontends.session import (
    CallParts,
    RunOptions,
    SessionOptions,
    SessionResult,
    default_archive_root,
    run_session,
)
from roleplay.frontends.transcript import transcript_printer
from roleplay.frontends.typed import PrintedVoice
from roleplay.model.clock import SystemClock
from roleplay.model.errors import AudioError
from roleplay.model.events import Timeline
from roleplay.model.i18n import translator
from roleplay.model.message import Msg


def run_headset_call(options: RunOptions) -> SessionResult:
    scenario = open_scenario(options.scenario)
    language = str(scenario.language)
    microphone = pick_device(options.input_device, "input")
    headphones = pick_device(options.output_device, "output")
    recognizer = open_recognizer("vosk", language, options.model)  # before the call: a missing model stops here
    clock, timeline = SystemClock(), Timeline()
    # Before the call folder too: a microphone that cannot start leaves no empty call behind.
    mic = MicrophoneSource(microphone)
    mic_origin_ms = clock.now_ms()  # the call time of the microphone's first sample
    writer = CallWriter(options.out_dir or default_archive_root(), scenario, options.trainee_id)
    recorder = StereoRecorder(writer.wav_path)
    sink = SpeakerSink(headphones)
    lang = options.ui_lang or language
    voice = PrintedVoice(sys.stdout, language, scenario.persona.rate_wpm,
                         SpeakingVoice(scenario, make_synth(), sink, clock, recorder), lang)
    # Smart Turn when its model is installed: a pause between two sentences keeps the turn.
    endpointer = open_endpointer(round(scenario.turn_patience_s * 1000),
                                 warn=lambda why: print(f"turn-taking: {why}", file=sys.stderr))
    timeline.add_sink(PartialPrinter(sys.stdout, live=True))  # the trainee sees their words appear
    listener = Listener(mic, recognizer, timeline, clock, recorder,
                        barge_in=voice.stop if scenario.barge_in else None, origin_ms=mic_origin_ms,
                        endpointer=endpointer, content=NodeExpectations.of(scenario))
    _ = translator(lang).gettext
    print(_("{title}: speak after the customer; Ctrl-C ends the call (it is kept).").format(title=scenario.title))
    try:
        return run_session(CallParts(scenario, voice, listener, clock, timeline),
                           SessionOptions(None, options.trainee_id, None, transcript_printer(sys.stdout, lang),
                                          writer, options.on_archived, lang))
    except (AudioError, KeyboardInterrupt) as stop:
        # Everything said so far is already in events.jsonl and call.wav; close the call folder.
        writer.finish(timeline, None, {"outcome": "interrupted", "error": str(stop) or "interrupted"})
        if isinstance(stop, AudioError):
            raise AudioError(Msg("{error} (the call so far is kept in {path})", error=stop.text,
                                 path=str(writer.dir))) from None
        print("\n" + _("call ended by Ctrl-C; kept in {path}").format(path=writer.dir), file=sys.stderr)
        raise
    finally:
        recorder.close()
        mic.close()
        sink.close()
