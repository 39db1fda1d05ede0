"""The kiosk's spoken catalogue (kiosk/domain/guide.py) and /api/speech: keys only, never free text."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

import pytest

from kiosk.devices.speech import SPEED_WPM, Speech
from kiosk.domain import guide
from kiosk.domain.errors import ConfigError
from kiosk.web.speech import catalogue
from tests.support import office_settings


def test_the_catalogue_speaks_numbers_services_counters_and_statuses(tmp_path):
    sentences = guide.sentences(office_settings(tmp_path))

    assert [sentences[f"digit.{d}"] for d in range(10)] == [
        "nol",
        "satu",
        "dua",
        "tiga",
        "empat",
        "lima",
        "enam",
        "tujuh",
        "delapan",
        "sembilan",
    ]
    assert sentences["press.1"] == "Tekan satu untuk"
    assert sentences["letter.A"] == "a" and sentences["letter.C"] == "ce"
    assert sentences["service.REKAM"] == "Perekaman ka te pe el."
    assert sentences["service.UBAH"] == "Perubahan Data, ka te pe el Hilang atau Rusak."
    assert sentences["call_to.REKAM"] == "Nomor ini akan dipanggil ke loket satu."
    assert sentences["call_to.INFO"] == "Nomor ini akan dipanggil ke loket dua atau loket tiga."
    assert sentences["counter.3"] == "loket tiga"
    assert sentences["status.READY_FOR_PICKUP.message"] == (
        "ka te pe el Anda sudah dicetak dan siap diambil di kantor kecamatan ini."
    )
    assert "status.CARD_ISSUED.next" not in sentences  # no next step, nothing to say
    assert (sentences["count.0"], sentences["count.12"], sentences["count.999"]) == (
        "nol",
        "dua belas",
        "sembilan ratus sembilan puluh sembilan",
    )
    assert "count.1000" not in sentences
    assert all("KTP-el" not in text and not any(c.isdigit() for c in text) for text in sentences.values())


def test_three_or_more_counters_are_joined_the_indonesian_way():
    assert guide._either(["loket satu", "loket dua", "loket tiga"]) == "loket satu, loket dua, atau loket tiga"


def test_the_index_lists_keys_engine_and_volume(tmp_path):
    from tests.support import make_app

    app = make_app(tmp_path, kiosk__voice_volume=0.4)
    body = app.test_client().get("/api/speech").get_json()
    assert body["volume"] == 0.4
    assert body["engine"] == "espeak-ng"
    assert {
        "service.REKAM",
        "call_to.REKAM",
        "digit.0",
        "letter.Z",
        "voice.idle",
        "status.UNREGISTERED.label",
        "counter.1",
        "t.start_title",
        "screen.start",
    } <= set(body["keys"])
    app.extensions["kiosk"].stop()


def test_a_sentence_comes_as_wav_with_its_text(client):
    answer = client.get("/api/speech/call_to.AMBIL.wav")
    assert answer.status_code == 200
    assert answer.mimetype == "audio/wav" and answer.data[:4] == b"RIFF"
    assert unquote(answer.headers["X-Spoken-Text"]) == "Nomor ini akan dipanggil ke loket dua atau loket tiga."
    again = client.get("/api/speech/call_to.AMBIL.wav", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("key", ["nope", "Halo dunia", "service.NOPE", "digit.10", "..", "service.rekam"])
def test_an_unknown_key_is_a_404_in_the_spec_shape(client, key):
    answer = client.get(f"/api/speech/{key}.wav")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] in ("unknown_sentence", "not_found")
    assert answer.get_json()["error"]["message"]


def test_the_server_renders_nothing_outside_its_catalogue(app, client, tmp_path):
    rt = app.extensions["kiosk"]
    rt.speech = Speech(tmp_path / "speech-only")
    attempts = [
        "Selamat pagi semua",
        "service.REKAM",
        "digit.7",
        "text=Halo",
        "voice.start?text=Halo",
        "../../etc/passwd",
        "service.REKAM%20dan%20lainnya",
        "press.1",
        "x" * 300,
    ]
    statuses = [client.get(f"/api/speech/{key}.wav").status_code for key in attempts]
    client.get("/api/speech/press.1.wav?text=Halo%20dunia")

    with app.app_context():
        texts = catalogue()
    allowed = {hashlib.sha256(f"id\0{SPEED_WPM}\0{text}".encode()).hexdigest() for text in texts.values()}
    rendered = {path.stem for path in (tmp_path / "speech-only").glob("*.wav")}
    assert statuses == [404, 200, 200, 404, 404, 404, 404, 200, 404]
    assert len(rendered) == 3 and rendered <= allowed  # service.REKAM, digit.7, press.1 - and nothing else
    assert list((tmp_path / "speech-only").glob("*.tmp")) == []


@pytest.mark.parametrize("key", ["nope", "service.NOPE", "digit.10", "text", "press.1.wav", "x" * 300])
def test_an_unknown_key_with_a_text_renders_nothing(app, client, tmp_path, key):
    """``?text=`` never turns into speech: an unknown key stays a 404 and nothing is rendered or cached."""
    rt = app.extensions["kiosk"]
    rt.speech = Speech(tmp_path / "speech-only")
    for query in ("?text=Halo%20dunia", "?text=service.REKAM", "?text=" + "6203011708900001", "?key=press.1"):
        answer = client.get(f"/api/speech/{key}.wav{query}")
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (404, "unknown_sentence"), query
        assert "X-Spoken-Text" not in answer.headers
    assert list((tmp_path / "speech-only").glob("*")) == []
    # A known key with a text: the catalogue's sentence, never the text.
    with app.app_context():
        sentence = catalogue()["press.1"]
    known = client.get("/api/speech/press.1.wav?text=Halo%20dunia")
    assert known.status_code == 200 and unquote(known.headers["X-Spoken-Text"]) == sentence
    assert len(list((tmp_path / "speech-only").glob("*.wav"))) == 1


def test_without_espeak_the_answer_is_503_with_the_text_for_the_browser(app, client, tmp_path):
    app.extensions["kiosk"].speech = Speech(tmp_path / "no-speech", espeak=str(tmp_path / "missing-espeak-ng"))
    answer = client.get("/api/speech/service.AMBIL.wav")
    assert answer.status_code == 503
    assert answer.get_json() == {
        "error": {
            "code": "speech_unavailable",
            "message": "Suara kios (espeak-ng) tidak tersedia; halaman memakai suara peramban.",
            "text": "Pengambilan ka te pe el.",
        }
    }
    assert client.get("/api/speech").get_json()["engine"] == "browser"
    assert client.get("/api/speech/nope.wav").status_code == 404  # unknown stays unknown


@pytest.mark.parametrize(
    "value, message",
    [
        (1.5, "kiosk.voice_volume must be between 0.0 (silent) and 1.0 (full), got 1.5"),
        (-0.1, "kiosk.voice_volume must be between"),
        ("loud", "kiosk.voice_volume must be int or float, got 'loud'"),
        (True, "kiosk.voice_volume must be int or float"),
    ],
)
def test_a_wrong_voice_volume_stops_start_up_naming_the_key(tmp_path, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        office_settings(tmp_path, kiosk__voice_volume=value)


def test_a_typo_in_the_kiosk_table_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown key kiosk\.voice_volum \(did you mean kiosk\.voice_volume\?\)"):
        office_settings(tmp_path, kiosk__voice_volum=0.5)


def test_the_volume_defaults_to_full_and_takes_whole_numbers(tmp_path):
    assert office_settings(tmp_path).kiosk.voice_volume == 1.0
    assert office_settings(tmp_path, kiosk__voice_volume=0).kiosk.voice_volume == 0.0


def test_the_catalogue_speaks_the_configured_survey_and_the_error_codes(tmp_path):
    from kiosk.domain.survey import ELEMENTS, PROFILE

    sentences = guide.sentences(
        office_settings(
            tmp_path, survey__questions__sarana="Bagaimana ruang tunggu, kursi, dan toilet di kantor 3 lantai ini?"
        )
    )

    # every question (as configured, else the regulation's wording) with its four answers, and where it is
    assert sentences["survey.q.sarana"] == "Bagaimana ruang tunggu, kursi, dan toilet di kantor tiga lantai ini?"
    assert sentences["survey.q.biaya"] == "Bagaimana pendapat Anda tentang kewajaran biaya, tarif dalam pelayanan?"
    assert [sentences[f"survey.a.persyaratan.{score}"] for score in range(1, 5)] == [
        "Tidak sesuai.",
        "Kurang sesuai.",
        "Sesuai.",
        "Sangat sesuai.",
    ]
    assert all(f"survey.q.{e.code}" in sentences and f"survey.a.{e.code}.4" in sentences for e in ELEMENTS)
    assert "survey.a.persyaratan.5" not in sentences
    assert sentences["survey.count.1"] == "Pertanyaan satu dari sembilan."
    assert "survey.count.10" not in sentences
    # the profile's answers as they are said, not as they are written ("SMP/sederajat", "17-25 tahun")
    assert all(
        f"survey.option.{part}.{code}" in sentences for part, options in PROFILE.items() for code, _, _ in options
    )
    assert sentences["survey.option.education.smp"] == "es em pe, atau sederajat."
    assert sentences["survey.option.age.17-25"] == "tujuh belas sampai dua puluh lima tahun."
    # the survey's error codes and the error screen's, each with its own sentence, and the generic ones
    assert sentences["survey.error.already_answered"] == "Survei untuk nomor itu sudah diisi. Terima kasih."
    assert sentences["survey.error.not_found"].startswith("Nomor itu tidak ditemukan di antrean hari ini.")
    assert sentences["error.quota_reached"] == "Kuota nomor antrean hari ini sudah habis."
    assert sentences["error.error"] == "Ada masalah. Silakan minta bantuan petugas."
    assert "error.bad_request" not in sentences  # a code the resident cannot act on gets the generic sentence
    assert all("KTP-el" not in text and not any(c.isdigit() for c in text) for text in sentences.values())


def test_every_error_code_the_kiosk_can_receive_has_its_sentence_or_is_meant_to_fall_back(tmp_path):
    """The kiosk's error screen shows what POST /api/tickets answers; the survey what /api/surveys answers."""
    from kiosk.domain.words import messages

    sentences = guide.sentences(office_settings(tmp_path))
    issue_codes = {"service_closed", "quota_reached", "unknown_service"}  # bad_request, internal_error: generic
    assert {f"error.{code}" for code in issue_codes | {"offline", "error"}} <= set(sentences)
    # the survey's codes are those its on-screen catalogue words cover (kiosk/messages/id.json "survey")
    survey_codes = {
        "need_number",
        "offline",
        "not_found",
        "not_served",
        "already_answered",
        "bad_request",
        "rate_limited",
        "not_a_kiosk",
        "error",
    }
    assert survey_codes <= set(messages("id")["survey"])
    assert {f"survey.error.{code}" for code in survey_codes | {"survey_disabled"}} <= set(sentences)
