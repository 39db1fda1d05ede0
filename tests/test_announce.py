"""Announcement sentences in Indonesian and their speech, with the real espeak-ng."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from kiosk.devices.speech import MAX_CACHED_PHRASES, Speech
from tests.unit.test_announce import SENTENCE


def require_espeak() -> None:
    """Skip when espeak-ng is missing locally; CI installs it, so there it is a failure."""
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is not installed on CI")
        pytest.skip("espeak-ng is not installed")


def assert_wav(audio: bytes | None) -> None:
    assert audio is not None
    assert audio[:4] == b"RIFF"
    assert b"WAVE" in audio[:16]


def test_speech_renders_a_wav_with_espeak(tmp_path):
    require_espeak()
    speech = Speech(tmp_path)
    assert speech.engine == "espeak-ng"
    assert_wav(speech.wav(SENTENCE))


def test_second_request_is_served_from_the_cache(tmp_path):
    require_espeak()
    speech = Speech(tmp_path)
    first = speech.wav(SENTENCE)
    assert_wav(first)
    [cached] = tmp_path.glob("*.wav")
    assert cached.read_bytes() == first
    # Only a cache hit can return these bytes: espeak-ng would render the real sentence.
    marker = b"RIFF\x00\x00\x00\x00WAVE cached"
    cached.write_bytes(marker)
    assert speech.wav(SENTENCE) == marker


def test_cache_key_separates_phrases(tmp_path):
    require_espeak()
    speech = Speech(tmp_path)
    assert speech.wav(SENTENCE) != speech.wav("Nomor antrean B, satu, silakan menuju loket satu")
    assert len(list(tmp_path.glob("*.wav"))) == 2


def test_cache_keeps_the_newest_phrases_only(tmp_path):
    require_espeak()
    for index in range(MAX_CACHED_PHRASES):
        stale = tmp_path / f"stale{index:03d}.wav"
        stale.write_bytes(b"RIFF")
        os.utime(stale, (1_000_000 + index, 1_000_000 + index))
    speech = Speech(tmp_path)
    assert_wav(speech.wav(SENTENCE))
    remaining = {path.name for path in tmp_path.glob("*.wav")}
    assert len(remaining) == MAX_CACHED_PHRASES
    assert "stale000.wav" not in remaining
    assert "stale001.wav" in remaining
    assert not list(tmp_path.glob("*.tmp"))


def test_missing_binary_falls_back_to_the_browser(tmp_path):
    speech = Speech(tmp_path, espeak="/nonexistent/espeak-ng")
    assert speech.engine == "browser"
    assert speech.wav(SENTENCE) is None
    assert not list(tmp_path.glob("*"))


def test_missing_voice_falls_back_to_the_browser(tmp_path):
    require_espeak()
    # "xx" matches no language; a name like "no-such-voice" would pick Norwegian ("no").
    speech = Speech(tmp_path, voice="xx")
    assert speech.engine == "browser"
    assert speech.wav(SENTENCE) is None


def test_threads_rendering_the_same_phrase_both_get_a_wav(tmp_path):
    require_espeak()
    speech = Speech(tmp_path)
    start = threading.Barrier(2)
    results: list[bytes | None] = []

    def render() -> None:
        start.wait()
        results.append(speech.wav(SENTENCE))

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 2
    for audio in results:
        assert_wav(audio)
    assert len(list(tmp_path.glob("*.wav"))) == 1
    assert not list(tmp_path.glob("*.tmp"))
