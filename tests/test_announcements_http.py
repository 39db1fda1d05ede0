"""The spoken announcement of a call as WAV (espeak-ng), and the clean fallback without it."""

from __future__ import annotations

import os
import shutil

import pytest

from kiosk.devices.speech import Speech


def _require_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is required in CI (apt-get install espeak-ng)")
        pytest.skip("espeak-ng is not installed")


def _called(staff_client) -> dict:
    client, headers = staff_client
    assert client.post("/api/tickets", json={"service": "REKAM"}).status_code == 201
    assert client.post("/api/counters/1/next", headers=headers).status_code == 200
    return client.get("/api/queue").get_json()["recent_calls"][0]


def test_a_call_is_served_as_indonesian_wav(staff_client):
    _require_espeak()
    client, _ = staff_client
    call = _called(staff_client)
    assert call["announcement"] == "Nomor antrean A, satu, silakan menuju loket satu"

    answer = client.get(call["audio_url"])

    assert answer.status_code == 200
    assert answer.mimetype == "audio/wav"
    audio = answer.data
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
    assert len(audio) > 20_000  # about a second and a half of speech at least, not a stub
    assert client.get(call["audio_url"]).data == audio  # cached per phrase
    assert client.get("/healthz").get_json()["speech"] == "espeak-ng"


def test_an_unknown_call_is_a_json_404(client):
    answer = client.get("/api/announcements/999999.wav")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_without_espeak_the_page_is_told_to_speak_itself(app, staff_client, tmp_path):
    app.extensions["kiosk"].speech = Speech(tmp_path / "no-speech", espeak=str(tmp_path / "missing-espeak-ng"))
    client, _ = staff_client
    call = _called(staff_client)

    answer = client.get(call["audio_url"])

    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "speech_unavailable"
    assert client.get("/healthz").get_json()["speech"] == "browser"
