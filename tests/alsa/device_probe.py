"""Runs inside ALSA_CONFIG_PATH=<test asoundrc> (PortAudio reads it once, at start-up).

usage: device_probe.py capture IN_RAW N_FRAMES [DEVICE_RATE]  -> JSON {"device", "rate", "pcm_hex"}
       device_probe.py play WAV [DEVICE_RATE]                   -> JSON {"device", "duration_ms"}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from audio.devices import MicrophoneSource, pick_device
from audio.playback import SpeakerSink


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "capture":
        n_frames = int(argv[2])
        rate = int(argv[3]) if len(argv) > 3 else None
        device = pick_device("roleplay_test", "input", remember=False)
        pcm = b""
        with MicrophoneSource(device, device_rate_hz=rate) as mic:
            while len(pcm) < n_frames * mic.frame_bytes:
                pcm += mic.read(timeout_s=1.0)
            out = {"device": device.name, "rate": mic.device_rate_hz, "pcm_hex": pcm.hex()}
    else:
        rate = int(argv[2]) if len(argv) > 2 else None
        device = pick_device("roleplay_test", "output", remember=False)
        sink = SpeakerSink(device, device_rate_hz=rate)
        duration = sink.play(Path(argv[1]))
        finished = sink.wait(timeout_s=10)
        sink.close()
        out = {"device": device.name, "duration_ms": duration, "finished": finished,
               "rate": sink._rate}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
