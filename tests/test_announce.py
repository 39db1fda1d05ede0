"""Announcement sentences in Indonesian and their speech, with the real espeak-ng."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from kiosk.devices.speech import MAX_CACHED_PHRASES, Speech
from kiosk.domain.announce import DEFAULT_TEMPLATE, announcement_text, number_words, validate_template

SENTENCE = "Nomor antrean A, dua belas, silakan menuju loket dua"

NUMBERS = [
    ("A-001", "A", "satu"),
    ("A-010", "A", "sepuluh"),
    ("A-011", "A", "sebelas"),
    ("A-012", "A", "dua belas"),
    ("A-020", "A", "dua puluh"),
    ("A-100", "A", "seratus"),
    ("A-101", "A", "seratus satu"),
    ("A-999", "A", "sembilan ratus sembilan puluh sembilan"),
    ("B-1000", "B", "seribu"),
]
COUNTERS = [
    ("Loket 1", "loket satu"),
    ("Loket 2", "loket dua"),
    ("Loket 10", "loket sepuluh"),
]


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


@pytest.mark.parametrize(
    ("seq", "words"),
    [
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (20, "dua puluh"),
        (100, "seratus"),
        (101, "seratus satu"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
    ],
)
def test_number_words_are_standard_indonesian(seq, words):
    assert number_words(seq) == words


@pytest.mark.parametrize(("counter_name", "spoken_counter"), COUNTERS)
@pytest.mark.parametrize(("number", "letter", "words"), NUMBERS)
def test_announcement_text(number, letter, words, counter_name, spoken_counter):
    assert announcement_text(number, counter_name) == (
        f"Nomor antrean {letter}, {words}, silakan menuju {spoken_counter}"
    )


def test_announcement_text_matches_the_spec_example():
    assert announcement_text("A-012", "Loket 2") == SENTENCE


def test_counter_name_without_digits_is_only_lower_cased():
    assert announcement_text("C-007", "Loket Prioritas") == (
        "Nomor antrean C, tujuh, silakan menuju loket prioritas"
    )


def test_custom_template_may_reorder_placeholders():
    template = "Loket {counter} memanggil nomor {letter} {number}"
    assert announcement_text("D-045", "5", template) == "Loket lima memanggil nomor D empat puluh lima"


@pytest.mark.parametrize("number", ["A012", "AB-012", "A-", "-012", "A-12x", ""])
def test_malformed_queue_number_is_rejected(number):
    with pytest.raises(ValueError, match="letter"):
        announcement_text(number, "Loket 1")


def test_default_template_is_valid():
    assert validate_template(DEFAULT_TEMPLATE) is None


def test_unknown_placeholder_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"unknown placeholder \{loket\}.*allowed: \{counter\}, \{letter\}, \{number\}"):
        validate_template("Nomor {letter}-{number} ke {loket}")


@pytest.mark.parametrize("template", ["Nomor {} ke {counter}", "Nomor {0}", "Nomor {letter.upper}"])
def test_positional_and_attribute_placeholders_are_unknown(template):
    with pytest.raises(ValueError, match="unknown placeholder"):
        validate_template(template)


def test_unbalanced_brace_is_rejected():
    with pytest.raises(ValueError, match="malformed announcement template"):
        validate_template("Nomor {letter")


def test_announcement_text_rejects_a_bad_template():
    with pytest.raises(ValueError, match="unknown placeholder"):
        announcement_text("A-001", "Loket 1", "Nomor {nomor}")


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


@pytest.mark.parametrize(("name", "spoken"), [
    ("Loket 2", "loket dua"), ("LOKET 12A", "loket dua belas a"), ("Loket  3 ", "loket tiga"),
    ("Meja Informasi", "meja informasi"), ("2", "dua"),
])
def test_a_counter_name_is_spoken_with_its_digits_as_words(name, spoken):
    from kiosk.domain.announce import spoken_counter

    assert spoken_counter(name) == spoken


@pytest.mark.parametrize(("audio", "is_wav"), [
    (b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 32, False),  # a 44-byte header and no sound
    (b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 33, True),  # one byte of sound
    (b"RIFX\x00\x00\x00\x00WAVE" + b"\x00" * 40, False),
    (b"RIFF\x00\x00\x00\x00AVI " + b"\x00" * 40, False),
    (b"", False),
])
def test_only_a_riff_wave_with_sound_counts_as_speech(audio, is_wav):
    from kiosk.devices.speech import _is_wav

    assert _is_wav(audio) is is_wav
