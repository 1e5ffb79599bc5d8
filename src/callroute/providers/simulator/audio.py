"""The simulator's voicemail recordings: a WAV made up on request, as long as the message the
script left, so a simulated voicemail can be played like a real one (the console's player,
the API's audio endpoint) with nothing stored."""

from __future__ import annotations

import functools
import io
import math
import struct
import wave

RATE = 8000  # Hz: telephone quality, like a provider's recording
LONGEST_SECONDS = 300  # a recording's length is the script's; never more than this


def voicemail_wav(seconds: int) -> bytes:
    """A murmur of ``seconds``: two tones whose loudness rises and falls four times a second,
    the rhythm of syllables, so it is heard as someone speaking, not a test tone."""
    pattern = _pattern()
    whole, part = divmod(max(1, min(seconds, LONGEST_SECONDS)), PATTERN_SECONDS)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pattern * whole + pattern[: part * RATE * 2])
    return out.getvalue()


PATTERN_SECONDS = 2  # every frequency below repeats within it: the sound is this, repeated


@functools.cache
def _pattern() -> bytes:
    samples = bytearray()
    for n in range(RATE * PATTERN_SECONDS):
        t = n / RATE
        syllables = 0.5 + 0.5 * math.sin(2 * math.pi * 4 * t) * math.sin(2 * math.pi * 0.5 * t)
        tone = 0.6 * math.sin(2 * math.pi * 180 * t) + 0.4 * math.sin(2 * math.pi * 360 * t)
        samples += struct.pack("<h", int(9000 * syllables * tone))
    return bytes(samples)
