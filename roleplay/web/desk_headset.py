"""Headset practice on the desktop, for a server that runs at the station (`roleplay serve
--headset`): the customer speaks through the station's headphones and the trainee answers into
its microphone, heard by the same Vosk path and endpointer as `roleplay run`; the page keeps
the CRM, the knowledge base, Hold and the wrap-up, and shows the transcript as it is heard.

The devices and the speech model are opened before the call folder exists, so a missing
microphone or model is one clear error and leaves no empty call behind.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audio.customer import SpeakingVoice
from audio.devices import MicrophoneSource, pick_device
from audio.endpoint import open_endpointer
from audio.listener import Listener
from audio.playback import SpeakerSink
from audio.recognizers import open_recognizer
from audio.recorder import StereoRecorder
from audio.voices import make_synth
from roleplay.engine.expectations import NodeExpectations
from roleplay.model.clock import Clock
from roleplay.model.events import Timeline
from roleplay.model.scenario import Scenario


@dataclass(frozen=True)
class HeadsetConfig:
    """The station's own devices (names or indexes; None: the system default) and model."""

    input_device: str | None = None
    output_device: str | None = None
    model: Path | None = None


class _StoppableSource:
    """The microphone, read through a check: Hang up, or a station gone from the page, ends
    the engine's wait for an answer at the next frame rather than after the node's silence."""

    def __init__(self, mic: MicrophoneSource, stop_reason: Callable[[], str | None],
                 stop: Callable[[str], BaseException]) -> None:
        self.mic = mic
        self.sample_rate_hz = mic.sample_rate_hz
        self.stop_reason = stop_reason
        self.stop = stop

    def read(self, timeout_s: float) -> bytes:
        reason = self.stop_reason()
        if reason:
            raise self.stop(reason)
        return self.mic.read(timeout_s)


class HeadsetParts:
    """Opened for one call; `attach` wires them to the call's clock, timeline and folder."""

    def __init__(self, config: HeadsetConfig, scenario: Scenario) -> None:
        self.scenario = scenario
        microphone = pick_device(config.input_device, "input")
        headphones = pick_device(config.output_device, "output")
        self.recognizer = open_recognizer("vosk", str(scenario.language), config.model)
        self.mic = MicrophoneSource(microphone)
        try:
            self.sink = SpeakerSink(headphones)
        except BaseException:
            self.mic.close()      # headphones that cannot open must not keep the microphone
            raise
        self.recorder: StereoRecorder | None = None
        self.voice: SpeakingVoice | None = None
        self.listener: Listener | None = None

    def attach(self, clock: Clock, timeline: Timeline, wav_path: Path,
               stop_reason: Callable[[], str | None], stop: Callable[[str], BaseException]) -> None:
        mic_origin_ms = clock.now_ms()   # the call time of the microphone's next sample
        self.recorder = StereoRecorder(wav_path)
        self.voice = SpeakingVoice(self.scenario, make_synth(), self.sink, clock, self.recorder)
        endpointer = open_endpointer(round(self.scenario.turn_patience_s * 1000),
                                     warn=lambda why: print(f"turn-taking: {why}", file=sys.stderr))
        source = _StoppableSource(self.mic, stop_reason, stop)
        self.listener = Listener(source, self.recognizer, timeline, clock, self.recorder,
                                 barge_in=self.voice.stop if self.scenario.barge_in else None,
                                 origin_ms=mic_origin_ms, endpointer=endpointer,
                                 content=NodeExpectations.of(self.scenario))

    def close(self) -> None:
        """Ends the recording (call.wav is complete) and frees the devices."""
        if self.recorder is not None:
            self.recorder.close()
        self.mic.close()
        self.sink.close()
