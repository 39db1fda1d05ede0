"""The demo office's satisfaction survey responses, made up for the served tickets of its past.

Generated deterministically (a fixed seed) so every demo looks the same; the tickets come from
kiosk/tools/demo_history.py, and ``kiosk demo`` writes both into an office that has no past yet.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from kiosk.domain.survey import ELEMENT_CODES, PROFILE

# Weights of the scores 1-4 per element: fees are free (KTP-el costs nothing), waiting is what residents mind.
SCORE_WEIGHTS = {
    "persyaratan": (1, 6, 55, 38),
    "prosedur": (2, 10, 58, 30),
    "waktu": (6, 24, 50, 20),
    "biaya": (0, 2, 18, 80),
    "produk": (1, 8, 56, 35),
    "kompetensi": (1, 5, 52, 42),
    "perilaku": (1, 4, 45, 50),
    "pengaduan": (5, 20, 55, 20),
    "sarana": (4, 22, 52, 22),
}
SUGGESTIONS = (
    "Kursi di ruang tunggu ditambah, sering penuh pada pagi hari.",
    "Pelayanan cepat dan petugas ramah. Terima kasih.",
    "Mohon informasi persyaratan ditempel di depan kantor.",
    "Blangko KTP-el sering habis, mohon disediakan lebih banyak.",
    "Kipas angin di ruang tunggu perlu diperbaiki.",
    "Sebaiknya ada kotak saran atau nomor WhatsApp pengaduan.",
    "Antrean dengan nomor dan layar sangat membantu.",
    "Toilet perlu lebih bersih.",
    "Loket buka tepat waktu, mohon dipertahankan.",
    "Parkir motor sempit.",
    "Mohon ada layanan pada hari Sabtu untuk pekerja.",
    "Petugas menjelaskan dengan sabar, terima kasih.",
    "Waktu tunggu perekaman terlalu lama, tambah loket.",
    "Perlu air minum untuk warga yang menunggu.",
    "Informasi jadwal pengambilan KTP-el lewat WhatsApp akan membantu.",
    "Sediakan kursi prioritas untuk lansia di dekat loket.",
    "Layar panggilan kurang terdengar dari luar ruangan.",
    "Ruang tunggu panas pada siang hari.",
    "Sudah bagus, pertahankan.",
    "Tolong ada petunjuk arah ke loket.",
)
RESPONSE_RATE = 0.3


def demo_responses(tickets: Iterable[Any], seed: int = 14) -> list[dict[str, Any]]:
    """Return survey responses for about ``RESPONSE_RATE`` of the served (done) tickets, each of its day and service."""
    rng = random.Random(seed)
    return [
        _response(ticket.day, ticket.service, rng)
        for ticket in tickets
        if ticket.status == "done" and rng.random() < RESPONSE_RATE
    ]


def _response(day: str, service: str, rng: random.Random) -> dict[str, Any]:
    response: dict[str, Any] = {"day": day, "service": service, "channel": "phone" if rng.random() < 0.7 else "kiosk"}
    for code in ELEMENT_CODES:
        response[code] = rng.choices((1, 2, 3, 4), weights=SCORE_WEIGHTS[code])[0]
    for part, options in PROFILE.items():
        response[part] = rng.choice(options)[0] if rng.random() < 0.8 else None
    response["suggestion"] = rng.choice(SUGGESTIONS) if rng.random() < 0.12 else None
    return response
