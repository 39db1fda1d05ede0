"""Generate chime.wav: a soft two-tone "ding-dong" played before each announcement.

Run `python kiosk/static/sounds/make_chime.py`; the output is deterministic.
"""

import math
import wave
from pathlib import Path

RATE = 22050
DURATION_SECONDS = 1.2
PEAK = 0.6  # about -4.4 dBFS: clearly audible, never clips, not harsh on a TV speaker
ATTACK_SECONDS = 0.015  # a few ms of rise removes the click without blurring the strike
FADE_OUT_SECONDS = 0.08  # end exactly at silence so the announcement does not follow a click

# Descending major third (E5 then C5), the classic public-address "ding-dong".
# The second note is struck softer because the first is still ringing under it.
NOTES = [  # (start second, frequency Hz, decay time constant second, loudness)
    (0.00, 659.25, 0.30, 1.0),
    (0.42, 523.25, 0.38, 0.8),
]
# Bell-like timbre: a few harmonics, quieter and shorter-lived as they rise.
PARTIALS = [(1, 1.0), (2, 0.30), (3, 0.10)]


def note_sample(t: float, frequency: float, decay: float) -> float:
    """Return one struck note's amplitude `t` seconds after it starts."""
    if t < 0:
        return 0.0
    attack = min(1.0, t / ATTACK_SECONDS)
    return attack * sum(
        weight * math.exp(-t * harmonic / decay) * math.sin(2 * math.pi * frequency * harmonic * t)
        for harmonic, weight in PARTIALS
    )


def chime_samples() -> list[float]:
    """Return the chime as floats in [-PEAK, PEAK]."""
    count = round(RATE * DURATION_SECONDS)
    raw = []
    for index in range(count):
        t = index / RATE
        value = sum(loudness * note_sample(t - start, frequency, decay) for start, frequency, decay, loudness in NOTES)
        raw.append(value * min(1.0, (count - 1 - index) / (RATE * FADE_OUT_SECONDS)))
    loudest = max(abs(value) for value in raw)
    return [value * PEAK / loudest for value in raw]


def write_wav(path: Path, samples: list[float]) -> None:
    """Write samples as 16-bit mono PCM."""
    frames = b"".join(round(value * 32767).to_bytes(2, "little", signed=True) for value in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)


if __name__ == "__main__":
    write_wav(Path(__file__).with_name("chime.wav"), chime_samples())
