"""The music set-up's test tone: a soft 1.5 s 440 Hz tone with gentle ends, made once."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import platformdirs

from groupkap.files import atomic_write


def test_tone_file() -> Path:
    """The tone as a WAV file in the cache folder (written atomically the first time)."""
    path = Path(platformdirs.user_cache_dir("groupkap", appauthor=False)) / "test-tone.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        rate = 22050
        t = np.arange(int(1.5 * rate)) / rate
        envelope = np.minimum(1.0, np.minimum(t, 1.5 - t) / 0.2)
        samples = (0.3 * envelope * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(samples.tobytes())
        atomic_write(path, buffer.getvalue())
    return path


test_tone_file.__test__ = False  # a name pytest would otherwise collect
