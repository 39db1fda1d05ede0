"""Resident satisfaction survey (Survei Kepuasan Masyarakat, PermenPANRB No. 14/2017), free of Flask and SQLite.

The regulation fixes nine elements (unsur), each asked as one question with four answers scored 1-4.
Per element the mean score (NRR) of the respondents; the weighted mean with equal weights (1/9 each);
the index IKM = weighted mean x 25; and the quality grade from the regulation's conversion table,
per element from its interval table of means (the IKM table divided by 25).

The tables leave gaps between grades (88.30 and 88.31; 3.532 and 3.5324): a value is graded by the
lower bounds, so a value in a gap takes the lower grade. IKM is graded as reported, rounded to two
decimals (88.305 -> 88.31 -> A); an element's mean as reported, rounded to four decimals.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kiosk.domain.errors import BadRequest


@dataclass(frozen=True)
class Element:
    """One of the nine fixed elements: its code (a config key), names and default question with answers."""

    code: str
    name: str
    name_en: str
    question: str
    question_en: str
    answers: tuple[str, str, str, str]  # scored 1, 2, 3, 4
    answers_en: tuple[str, str, str, str]


# In the regulation's order (Lampiran, "unsur"); the answers follow the regulation's sample form.
ELEMENTS: tuple[Element, ...] = (
    Element(
        "persyaratan",
        "Persyaratan",
        "Requirements",
        "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "How well do the requirements match the service you received?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not suitable", "Less suitable", "Suitable", "Very suitable"),
    ),
    Element(
        "prosedur",
        "Sistem, mekanisme dan prosedur",
        "Systems, mechanisms and procedures",
        "Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy was the service procedure here?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        ("Not easy", "Not quite easy", "Easy", "Very easy"),
    ),
    Element(
        "waktu",
        "Waktu penyelesaian",
        "Completion time",
        "Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
        "How fast was the service?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        ("Not fast", "Not quite fast", "Fast", "Very fast"),
    ),
    Element(
        "biaya",
        "Biaya/tarif",
        "Cost/fee",
        "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
        "How fair was the cost or fee of the service?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        ("Very expensive", "Rather expensive", "Cheap", "Free"),
    ),
    Element(
        "produk",
        "Produk spesifikasi jenis pelayanan",
        "Service product specification",
        "Bagaimana pendapat Anda tentang kesesuaian hasil pelayanan dengan yang tercantum dalam standar pelayanan?",
        "How well did the result match what the service standard promises?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not suitable", "Less suitable", "Suitable", "Very suitable"),
    ),
    Element(
        "kompetensi",
        "Kompetensi pelaksana",
        "Staff competence",
        "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent were the staff who served you?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        ("Not competent", "Less competent", "Competent", "Very competent"),
    ),
    Element(
        "perilaku",
        "Perilaku pelaksana",
        "Staff conduct",
        "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        "How polite and friendly were the staff?",
        ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
        ("Not polite or friendly", "Less polite and friendly", "Polite and friendly", "Very polite and friendly"),
    ),
    Element(
        "pengaduan",
        "Penanganan pengaduan, saran dan masukan",
        "Handling of complaints and suggestions",
        "Bagaimana pendapat Anda tentang penanganan pengaduan, saran dan masukan di unit ini?",
        "How are complaints and suggestions handled here?",
        ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
        ("There is none", "Exists but does not work", "Works, but not fully", "Well managed"),
    ),
    Element(
        "sarana",
        "Sarana dan prasarana",
        "Facilities and infrastructure",
        "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
        "How good are the facilities (waiting room, seats, toilets, parking)?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
        ("Poor", "Fair", "Good", "Very good"),
    ),
)
ELEMENT_CODES = tuple(element.code for element in ELEMENTS)
SUGGESTION_MAX = 500  # characters of the free-text suggestion (saran)
QUESTION_MAX = 300  # characters of a configured question text
WEIGHT = 1 / len(ELEMENTS)  # equal weights: each element counts 1/9


@dataclass(frozen=True)
class Grade:
    """A quality grade (mutu pelayanan) and the performance it stands for (kinerja unit pelayanan)."""

    letter: str
    label: str
    label_en: str


GRADES = {
    "A": Grade("A", "Sangat Baik", "Very good"),
    "B": Grade("B", "Baik", "Good"),
    "C": Grade("C", "Kurang Baik", "Poor"),
    "D": Grade("D", "Tidak Baik", "Very poor"),
}
# Lower bounds of the regulation's conversion table: IKM (25.00-100.00) and mean per element (1.00-4.00).
IKM_BOUNDS = ((Decimal("88.31"), "A"), (Decimal("76.61"), "B"), (Decimal("65.00"), "C"))
MEAN_BOUNDS = ((Decimal("3.5324"), "A"), (Decimal("3.0644"), "B"), (Decimal("2.60"), "C"))

# The respondent profile of the official form; every part optional. Codes are stored, labels shown.
PROFILE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "gender": (("L", "Laki-laki", "Male"), ("P", "Perempuan", "Female")),
    "age": (
        ("17-25", "17-25 tahun", "17-25 years"),
        ("26-35", "26-35 tahun", "26-35 years"),
        ("36-45", "36-45 tahun", "36-45 years"),
        ("46-55", "46-55 tahun", "46-55 years"),
        ("56+", "56 tahun ke atas", "56 years or older"),
    ),
    "education": (
        ("sd", "SD ke bawah", "Primary school or less"),
        ("smp", "SMP/sederajat", "Junior high school"),
        ("sma", "SMA/sederajat", "Senior high school"),
        ("diploma", "D1-D4", "Diploma (D1-D4)"),
        ("s1", "S1", "Bachelor's degree"),
        ("s2", "S2 ke atas", "Master's degree or higher"),
    ),
    "job": (
        ("pns", "PNS", "Civil servant"),
        ("tni", "TNI", "Armed forces"),
        ("polri", "POLRI", "Police"),
        ("swasta", "Pegawai swasta", "Private employee"),
        ("wirausaha", "Wirausaha", "Self-employed"),
        ("pelajar", "Pelajar/mahasiswa", "Student"),
        ("lainnya", "Lainnya", "Other"),
    ),
}
PROFILE_TITLES = {
    "gender": ("Jenis kelamin", "Gender"),
    "age": ("Usia", "Age"),
    "education": ("Pendidikan terakhir", "Education"),
    "job": ("Pekerjaan utama", "Occupation"),
}


def _round(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ikm_grade(ikm: float) -> Grade:
    """Return the grade of an IKM value (25-100), graded as reported to two decimals."""
    value = _round(ikm, 2)
    return GRADES[next((letter for bound, letter in IKM_BOUNDS if value >= bound), "D")]


def mean_grade(mean: float) -> Grade:
    """Return the grade of one element's mean score (1-4), graded as reported to four decimals."""
    value = _round(mean, 4)
    return GRADES[next((letter for bound, letter in MEAN_BOUNDS if value >= bound), "D")]


def element_means(responses: Iterable[Sequence[int]]) -> list[float] | None:
    """Return the mean score (NRR) of each element over the responses, or None when there are none."""
    totals = [0] * len(ELEMENTS)
    count = 0
    for answers in responses:
        for index, score in enumerate(answers):
            totals[index] += score
        count += 1
    return [total / count for total in totals] if count else None


def weighted_mean(means: Sequence[float]) -> float:
    """Return the weighted mean of the element means with the regulation's equal weights."""
    return sum(mean * WEIGHT for mean in means)


def ikm(means: Sequence[float]) -> float:
    """Return the index IKM = weighted mean x 25, rounded to two decimals."""
    return float(_round(weighted_mean(means) * 25, 2))


def summarize(responses: Iterable[Sequence[int]]) -> dict[str, Any]:
    """Return the contract's report shape: respondents, IKM, its grade and each element's mean and grade."""
    responses = list(responses)
    means = element_means(responses)
    if means is None:
        return {
            "respondents": 0,
            "ikm": None,
            "grade": None,
            "elements": [{"element": e.code, "mean": None, "grade": None} for e in ELEMENTS],
        }
    index = ikm(means)
    return {
        "respondents": len(responses),
        "ikm": index,
        "grade": ikm_grade(index).letter,
        "elements": [
            {"element": element.code, "mean": float(_round(mean, 4)), "grade": mean_grade(mean).letter}
            for element, mean in zip(ELEMENTS, means, strict=True)
        ],
    }


def needs_improvement(elements: list[dict]) -> list[dict]:
    """Return the elements with answers, lowest mean first (ties in the regulation's order)."""
    return sorted((row for row in elements if row["mean"] is not None), key=lambda row: row["mean"])


def krejcie_morgan(population: int) -> int:
    """Return the sample size Krejcie and Morgan (1970) recommend for a population (95 %, 5 % error, P = 0.5).

    s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P)) with X^2 = 3.841, rounded as their table is.
    """
    if population <= 0:
        return 0
    chi_square, share, error = 3.841, 0.5, 0.05
    size = (
        chi_square * population * share * (1 - share) / (error**2 * (population - 1) + chi_square * share * (1 - share))
    )
    return min(population, math.floor(size + 0.5))


# Eight or more digits (a NIK, a KK number, a phone number), with up to three separators between digit groups:
# spaces, dots, dashes, slashes, underscores ("6203/0117/0890/0001", "0812_3456_7890").
_LONG_NUMBER = re.compile(r"\d(?:[\s./\\_\-]{0,3}\d){7,}")
_WS = r"[ \t\n\r\f\v]*"  # ASCII spaces: JSON Schema (ECMA 262) and Python read them alike
# A queue number as typed at the kiosk: a letter, a separator or none, 1-4 digits not all zero ("a8", "A 008").
# The OpenAPI document states it as is, so a fuzzer's valid number is one the server takes.
NUMBER_PATTERN = (
    rf"^{_WS}([A-Za-z]){_WS}[-. \t\n\r\f\v]?{_WS}([1-9][0-9]{{0,3}}|0[1-9][0-9]{{0,2}}|00[1-9][0-9]?|000[1-9]){_WS}$"
)
_NUMBER = re.compile(NUMBER_PATTERN)


def check_number(value: Any) -> str:
    """Return a queue number typed at the kiosk in its printed form ("a8", "A 008" -> "A-008") or raise BadRequest."""
    match = _NUMBER.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadRequest("Tulis nomor antrean seperti pada tiket, misalnya A-008 (field 'number').")
    return f"{match.group(1).upper()}-{int(match.group(2)):03d}"


def check_answers(value: Any) -> tuple[int, ...]:
    """Return the nine scores of a submission or raise BadRequest naming the problem."""
    if (
        not isinstance(value, list)
        or len(value) != len(ELEMENTS)
        or not all(type(score) is int and 1 <= score <= 4 for score in value)
    ):
        raise BadRequest(f"Jawaban harus berisi {len(ELEMENTS)} angka 1-4 sesuai urutan pertanyaan (field 'answers').")
    return tuple(value)


def check_profile(value: Any) -> dict[str, str | None]:
    """Return the optional respondent profile (every part may be missing or null) or raise BadRequest."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise BadRequest("Profil responden harus berupa objek JSON (field 'profile').")
    unknown = sorted(set(value) - set(PROFILE))
    if unknown:
        raise BadRequest(f"Bagian profil tidak dikenal: {unknown[0][:40]!r}.")
    profile: dict[str, str | None] = {}
    for part, options in PROFILE.items():
        chosen = value.get(part)
        if chosen is not None and chosen not in [code for code, _, _ in options]:
            raise BadRequest(f"Pilihan '{part}' pada profil tidak dikenal.")
        profile[part] = chosen
    return profile


def check_suggestion(value: Any) -> str | None:
    """Return the suggestion trimmed, long numbers removed (None when empty); raise BadRequest when not text or too long."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("Saran harus berupa teks (field 'suggestion').")
    text = " ".join(value.split())
    if len(text) > SUGGESTION_MAX:
        raise BadRequest(f"Saran paling panjang {SUGGESTION_MAX} karakter.")
    # The survey is anonymous: a NIK or phone number typed into it is not kept.
    return remove_long_numbers(text) or None


def remove_long_numbers(text: str) -> str:
    """Replace every run of eight or more digits (a NIK, a KK or phone number) with "[angka dihapus]"."""
    return _LONG_NUMBER.sub("[angka dihapus]", text)


def questionnaire(questions: dict[str, str], questions_en: dict[str, str]) -> dict[str, Any]:
    """Return what a survey screen shows, in both languages: the nine questions with answers, and the profile."""
    return {
        "elements": [
            {
                "element": element.code,
                "name": element.name,
                "name_en": element.name_en,
                "question": questions.get(element.code) or element.question,
                "question_en": questions_en.get(element.code) or element.question_en,
                "answers": [
                    {"score": score, "label": label, "label_en": label_en}
                    for score, (label, label_en) in enumerate(zip(element.answers, element.answers_en, strict=True), 1)
                ],
            }
            for element in ELEMENTS
        ],
        "profile": [
            {
                "part": part,
                "title": PROFILE_TITLES[part][0],
                "title_en": PROFILE_TITLES[part][1],
                "options": [{"code": code, "label": label, "label_en": label_en} for code, label, label_en in options],
            }
            for part, options in PROFILE.items()
        ],
        "suggestion_max": SUGGESTION_MAX,
    }


def period_report(rows: list[dict[str, Any]], population: int) -> dict[str, Any]:
    """Return the contract's report of stored responses plus what the "Laporan Hasil SKM" shows beside it.

    ``rows`` hold one column per element code, the profile parts and the suggestion; ``population``
    is the number of tickets served in the period. Suggestions come sorted by text, never in the order
    they were given.
    """
    report = summarize([[row[code] for code in ELEMENT_CODES] for row in rows])
    names = {element.code: element.name for element in ELEMENTS}
    profile = []
    for part, options in PROFILE.items():
        counts = {code: 0 for code, _, _ in options}
        unanswered = 0
        for row in rows:
            if row.get(part) in counts:
                counts[row[part]] += 1
            else:
                unanswered += 1
        profile.append(
            {
                "part": part,
                "title": PROFILE_TITLES[part][0],
                "options": [{"code": code, "label": label, "count": counts[code]} for code, label, _ in options],
                "unanswered": unanswered,
            }
        )
    report.update(
        {
            "grade_label": GRADES[report["grade"]].label if report["grade"] else None,
            "population": population,
            "sample_size": krejcie_morgan(population),
            "needs_improvement": [
                {**row, "name": names[row["element"]], "grade_label": GRADES[row["grade"]].label}
                for row in needs_improvement(report["elements"])
            ],
            "profile": profile,
            "channels": {
                channel: sum(1 for row in rows if row.get("channel") == channel) for channel in ("phone", "kiosk")
            },
            "suggestions": _grouped(row["suggestion"] for row in rows if row.get("suggestion")),
        }
    )
    for row in report["elements"]:
        row["name"] = names[row["element"]]
        row["grade_label"] = GRADES[row["grade"]].label if row["grade"] else None
    return report


def _grouped(texts: Iterable[str]) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for text in texts:
        counts[text] = counts.get(text, 0) + 1
    return [
        {"text": text, "count": count} for text, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
