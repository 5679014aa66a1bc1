"""Audio: speech recognition, voice activity, TTS, devices and WAV files."""
