"""The demo office's past: a few weeks of served tickets and satisfaction survey responses, made up.

Generated deterministically (a fixed seed) so every demo looks the same; written by ``kiosk demo``
into an office that has no past yet, in one transaction (a few thousand rows, well under a second).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from kiosk.queue import format_number
from kiosk.settings import Settings
from kiosk.skm import ELEMENT_CODES, PROFILE

WEEKS = 4
# Weights of the scores 1-4 per element: fees are free (KTP-el costs nothing), waiting is what residents mind.
SCORE_WEIGHTS = {
    "persyaratan": (1, 6, 55, 38), "prosedur": (2, 10, 58, 30), "waktu": (6, 24, 50, 20),
    "biaya": (0, 2, 18, 80), "produk": (1, 8, 56, 35), "kompetensi": (1, 5, 52, 42),
    "perilaku": (1, 4, 45, 50), "pengaduan": (5, 20, 55, 20), "sarana": (4, 22, 52, 22),
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
DAILY_SERVED = {"REKAM": (12, 22), "CETAK": (6, 14), "AMBIL": (8, 16), "UBAH": (3, 8), "IKD": (4, 10), "INFO": (3, 8)}
RESPONSE_RATE = 0.3


@dataclass
class History:
    """Rows to store: tickets (each with its events) and survey responses."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    events: list[list[dict[str, Any]]] = field(default_factory=list)  # per ticket, in order
    responses: list[dict[str, Any]] = field(default_factory=list)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def demo_history(settings: Settings, today: date, staff_id: int | None, seed: int = 14) -> History:
    """Return ``WEEKS`` weeks of office days before ``today`` (Monday to Saturday): served tickets and responses."""
    rng = random.Random(seed)
    zone = settings.office.timezone
    history = History()
    day = today - timedelta(weeks=WEEKS)
    while day < today:
        if day.weekday() != 6:
            _one_day(settings, day, zone, staff_id, rng, history)
        day += timedelta(days=1)
    return history


def _one_day(settings: Settings, day: date, zone, staff_id: int | None, rng: random.Random,
             history: History) -> None:
    for service in settings.services:
        counters = [counter.id for counter in settings.counters if service.code in counter.services]
        low, high = DAILY_SERVED.get(service.code, (3, 8))
        served = rng.randint(low, high)
        clock = datetime.combine(day, time(8, 0), zone)
        for seq in range(1, served + 1):
            clock += timedelta(minutes=rng.randint(3, 18))
            issued = clock
            called = issued + timedelta(minutes=rng.randint(2, 40))
            serving = called + timedelta(minutes=1)
            finished = serving + timedelta(minutes=rng.randint(3, 15))
            counter = rng.choice(counters) if counters else None
            no_show = rng.random() < 0.05
            ticket = {
                "token": secrets.token_urlsafe(12), "day": day.isoformat(), "origin_service": service.code,
                "seq": seq, "number": format_number(service.prefix, seq), "service": service.code,
                "priority": int(rng.random() < 0.15), "status": "no_show" if no_show else "done",
                "issued_at": _stamp(issued), "queued_at": _stamp(issued), "called_at": _stamp(called),
                "serving_at": None if no_show else _stamp(serving), "finished_at": _stamp(finished),
                "counter_id": counter, "staff_id": staff_id, "recalls": 0, "print_status": "printed",
            }
            steps = [("issue", None, "waiting", issued), ("call", "waiting", "called", called)]
            steps += ([("no_show", "called", "no_show", finished)] if no_show else
                      [("serve", "called", "serving", serving), ("done", "serving", "done", finished)])
            history.tickets.append(ticket)
            history.events.append([
                {"day": day.isoformat(), "at": _stamp(at), "action": action, "from_status": before,
                 "to_status": after, "service": service.code,
                 "counter_id": None if action == "issue" else counter,
                 "staff_id": None if action == "issue" else staff_id}
                for action, before, after, at in steps])
            if not no_show and rng.random() < RESPONSE_RATE:
                history.responses.append(_response(day, service.code, rng))


def _response(day: date, service: str, rng: random.Random) -> dict[str, Any]:
    response: dict[str, Any] = {"day": day.isoformat(), "service": service,
                                "channel": "phone" if rng.random() < 0.7 else "kiosk"}
    for code in ELEMENT_CODES:
        response[code] = rng.choices((1, 2, 3, 4), weights=SCORE_WEIGHTS[code])[0]
    for part, options in PROFILE.items():
        response[part] = rng.choice(options)[0] if rng.random() < 0.8 else None
    response["suggestion"] = rng.choice(SUGGESTIONS) if rng.random() < 0.12 else None
    return response
