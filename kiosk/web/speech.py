"""Voice guidance of the kiosk: WAVs of the sentences in kiosk/domain/guide.py, by key only."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, request

from kiosk.domain import guide
from kiosk.domain.errors import NotFound
from kiosk.web.common import runtime

bp = Blueprint("speech", __name__)

# X-Spoken-Text is percent-encoded UTF-8 (HTTP headers are Latin-1); these stay readable as they are.
_HEADER_SAFE = " ,.:;?!'()-"


def catalogue() -> dict[str, str]:
    """Return this office's spoken sentences, built once per settings (the settings screen changes names live)."""
    settings = runtime().settings
    cached = current_app.extensions.get("kiosk.guide")
    if cached is None or cached[0] is not settings:
        cached = current_app.extensions["kiosk.guide"] = (settings, guide.sentences(settings))
    return cached[1]


@bp.get("/api/speech")
def speech_index():
    """List the sentence keys the kiosk may ask for, the engine that speaks them and the configured volume."""
    rt = runtime()
    return jsonify(
        {
            "engine": rt.speech.engine if rt.speech else "browser",
            "volume": rt.settings.kiosk.voice_volume,
            "keys": list(catalogue()),
        }
    )


@bp.get("/api/speech/<key>.wav")
def sentence_audio(key: str):
    """Return one catalogue sentence as WAV; 404 for a key not in the catalogue, 503 without espeak-ng."""
    text = catalogue().get(key)
    if text is None:
        raise NotFound("Kalimat ini tidak ada dalam daftar suara kios.", code="unknown_sentence")
    rt = runtime()
    audio = rt.speech.wav(text) if rt.speech else None
    spoken_text = quote(text, safe=_HEADER_SAFE)
    if audio is None:
        # The page then reads the sentence with the browser's own voice, or plays a chime.
        answer = jsonify(
            {
                "error": {
                    "code": "speech_unavailable",
                    "message": "Suara kios (espeak-ng) tidak tersedia; halaman memakai suara peramban.",
                    "text": text,
                }
            }
        )
        answer.status_code = 503
        answer.headers["X-Spoken-Text"] = spoken_text
        return answer
    answer = Response(
        audio,
        mimetype="audio/wav",
        headers={
            "Cache-Control": "no-cache",  # revalidated: a renamed service must not keep its old name
            "X-Spoken-Text": spoken_text,
        },
    )
    answer.set_etag(hashlib.sha256(text.encode()).hexdigest()[:32])
    return answer.make_conditional(request)
