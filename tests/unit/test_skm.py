"""SKM / IKM (PermenPANRB No. 14/2017): hand-computed examples, every grade boundary, Krejcie-Morgan, input rules."""

from __future__ import annotations

import pytest

from kiosk.domain import survey as skm
from kiosk.domain.errors import BadRequest, ConfigError
from kiosk.domain.settings import load_settings
from kiosk.paths import packaged_config


def test_the_nine_elements_are_fixed_in_the_regulations_order():
    assert skm.ELEMENT_CODES == (
        "persyaratan",
        "prosedur",
        "waktu",
        "biaya",
        "produk",
        "kompetensi",
        "perilaku",
        "pengaduan",
        "sarana",
    )
    assert [e.name for e in skm.ELEMENTS] == [
        "Persyaratan",
        "Sistem, mekanisme dan prosedur",
        "Waktu penyelesaian",
        "Biaya/tarif",
        "Produk spesifikasi jenis pelayanan",
        "Kompetensi pelaksana",
        "Perilaku pelaksana",
        "Penanganan pengaduan, saran dan masukan",
        "Sarana dan prasarana",
    ]
    assert all(len(e.answers) == len(e.answers_en) == 4 for e in skm.ELEMENTS)


def test_a_hand_computed_period_of_four_respondents():
    # Elements 1,3,5,7,9 get 4,3,3,2 (NRR 12/4 = 3.00); elements 2,4,6,8 get 4,3,4,3 (NRR 14/4 = 3.50).
    # Weighted mean = (5 x 3.00 + 4 x 3.50) / 9 = 29/9 = 3.2222...; IKM = 3.2222... x 25 = 80.555... -> 80.56 (B).
    responses = [
        [4, 4, 4, 4, 4, 4, 4, 4, 4],
        [3, 3, 3, 3, 3, 3, 3, 3, 3],
        [3, 4, 3, 4, 3, 4, 3, 4, 3],
        [2, 3, 2, 3, 2, 3, 2, 3, 2],
    ]
    assert skm.element_means(responses) == [3.0, 3.5, 3.0, 3.5, 3.0, 3.5, 3.0, 3.5, 3.0]
    assert skm.weighted_mean(skm.element_means(responses)) == pytest.approx(29 / 9)
    assert skm.summarize(responses) == {
        "respondents": 4,
        "ikm": 80.56,
        "grade": "B",
        "elements": [
            {"element": code, "mean": 3.0 if index % 2 == 0 else 3.5, "grade": "C" if index % 2 == 0 else "B"}
            for index, code in enumerate(skm.ELEMENT_CODES)
        ],
    }


def test_a_hand_computed_period_with_uneven_means():
    # Three respondents. Column sums: 11, 9, 6, 12, 10, 11, 12, 7, 8 -> NRR 3.6667, 3, 2, 4, 3.3333, 3.6667, 4,
    # 2.3333, 2.6667. Sum of NRR = 86/3 = 28.6667; weighted mean = 86/27 = 3.18518...;
    # IKM = 3.18518... x 25 = 79.6296... -> 79.63 (B).
    responses = [
        [4, 3, 2, 4, 3, 4, 4, 3, 2],
        [4, 3, 2, 4, 4, 4, 4, 2, 3],
        [3, 3, 2, 4, 3, 3, 4, 2, 3],
    ]
    report = skm.summarize(responses)
    assert report["ikm"] == 79.63
    assert report["grade"] == "B"
    assert [(row["mean"], row["grade"]) for row in report["elements"]] == [
        (3.6667, "A"),
        (3.0, "C"),
        (2.0, "D"),
        (4.0, "A"),
        (3.3333, "B"),
        (3.6667, "A"),
        (4.0, "A"),
        (2.3333, "D"),
        (2.6667, "C"),
    ]
    lowest = skm.needs_improvement(report["elements"])
    assert [row["element"] for row in lowest[:3]] == ["waktu", "pengaduan", "sarana"]


def test_the_extremes_and_no_respondents():
    assert skm.summarize([[4] * 9])["ikm"] == 100.0
    assert skm.summarize([[4] * 9])["grade"] == "A"
    assert skm.summarize([[1] * 9])["ikm"] == 25.0
    assert skm.summarize([[1] * 9])["grade"] == "D"
    empty = skm.summarize([])
    assert empty["respondents"] == 0 and empty["ikm"] is None and empty["grade"] is None
    assert [row["mean"] for row in empty["elements"]] == [None] * 9
    assert skm.needs_improvement(empty["elements"]) == []


@pytest.mark.parametrize(
    "ikm, grade",
    [
        (100.0, "A"),
        (88.31, "A"),
        (88.305, "A"),  # reported as 88.31
        (88.30, "B"),
        (88.304, "B"),
        (76.61, "B"),
        (76.60, "C"),
        (76.605, "B"),  # 76.605 is reported as 76.61
        (65.00, "C"),
        (64.995, "C"),  # reported as 65.00
        (64.99, "D"),
        (25.00, "D"),
    ],
)
def test_every_ikm_grade_boundary(ikm, grade):
    assert skm.ikm_grade(ikm).letter == grade


@pytest.mark.parametrize(
    "mean, grade",
    [
        (4.0, "A"),
        (3.5324, "A"),
        (3.53235, "A"),  # reported as 3.5324
        (3.5323, "B"),
        (3.532, "B"),
        (3.0644, "B"),
        (3.0643, "C"),
        (3.064, "C"),
        (2.60, "C"),
        (2.5999, "D"),
        (2.5996, "D"),
        (1.0, "D"),
    ],
)
def test_every_element_grade_boundary(mean, grade):
    assert skm.mean_grade(mean).letter == grade


def test_grade_labels_follow_the_conversion_table():
    assert [(g.letter, g.label) for g in skm.GRADES.values()] == [
        ("A", "Sangat Baik"),
        ("B", "Baik"),
        ("C", "Kurang Baik"),
        ("D", "Tidak Baik"),
    ]


@pytest.mark.parametrize(
    "population, sample",
    [
        (0, 0),
        (1, 1),
        (10, 10),
        (15, 14),
        (20, 19),
        (50, 44),
        (100, 80),
        (200, 132),
        (500, 217),
        (1000, 278),
        (5000, 357),
        (10000, 370),
        (20000, 377),
        (50000, 381),
        (75000, 382),
        (1000000, 384),
    ],
)
def test_krejcie_morgan_matches_their_published_table(population, sample):
    assert skm.krejcie_morgan(population) == sample


@pytest.mark.parametrize(
    "answers",
    [
        None,
        [],
        [3] * 8,
        [3] * 10,
        [3] * 8 + [0],
        [3] * 8 + [5],
        [3] * 8 + ["3"],
        [3] * 8 + [3.0],
        [3] * 8 + [True],
        "333333333",
    ],
)
def test_answers_must_be_nine_scores_from_one_to_four(answers):
    with pytest.raises(BadRequest):
        skm.check_answers(answers)


def test_profile_parts_are_optional_and_checked():
    assert skm.check_profile(None) == {"gender": None, "age": None, "education": None, "job": None}
    assert skm.check_profile({"gender": "P", "job": "wirausaha"}) == {
        "gender": "P",
        "age": None,
        "education": None,
        "job": "wirausaha",
    }
    for bad in ({"gender": "X"}, {"nik": "6203011708900001"}, ["L"], {"age": 30}):
        with pytest.raises(BadRequest):
            skm.check_profile(bad)


def test_suggestion_is_trimmed_and_length_limited():
    assert skm.check_suggestion(None) is None
    assert skm.check_suggestion("   ") is None
    assert skm.check_suggestion("  Kursi   ruang tunggu\nkurang ") == "Kursi ruang tunggu kurang"
    assert len(skm.check_suggestion("a" * skm.SUGGESTION_MAX)) == skm.SUGGESTION_MAX
    assert skm.check_suggestion("NIK saya 6203011708900001, HP 0812-3456-7890, loket 3 buka 08.00") == (
        "NIK saya [angka dihapus], HP [angka dihapus], loket 3 buka 08.00"
    )
    for bad in ("a" * (skm.SUGGESTION_MAX + 1), 12, ["saran"]):
        with pytest.raises(BadRequest):
            skm.check_suggestion(bad)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("kode 1234567 ya", "kode 1234567 ya"),  # 7 digits: kept (a queue number, a time, a small sum)
        ("kode 12345678 ya", "kode [angka dihapus] ya"),  # 8 digits: the lower bound, scrubbed
        ("kode 123456789 ya", "kode [angka dihapus] ya"),  # 9 digits
        ("HP 0812-345", "HP 0812-345"),  # 7 digits with a separator: kept
        ("HP 0812-3456", "HP [angka dihapus]"),  # 8 digits with a separator: scrubbed
        ("HP 0812 3456 7", "HP [angka dihapus]"),
        ("no 12.34.56.78", "no [angka dihapus]"),
        ("1234567", "1234567"),
        ("12345678", "[angka dihapus]"),
        ("123456-7890123", "[angka dihapus]"),
        ("Rp 150.000, jam 08.00", "Rp 150.000, jam 08.00"),  # 6 and 4 digits, apart
        ("antre 1234 5678", "antre [angka dihapus]"),
        ("1234  567", "1234 567"),  # whitespace is folded first: still 7 digits
    ],
)
def test_a_suggestion_keeps_seven_digit_runs_and_scrubs_eight_or_more(typed, kept):
    assert skm.check_suggestion(typed) == kept


def test_question_texts_come_from_the_configuration_with_defaults():
    settings = load_settings(
        packaged_config(),
        {
            "survey.questions.waktu": "Seberapa cepat layanan KTP-el kami?",
            "survey.questions_en.sarana": "How is our waiting room?",
        },
    )
    form = skm.questionnaire(settings.survey.texts(), settings.survey.texts(english=True))
    by_code = {row["element"]: row for row in form["elements"]}
    assert list(by_code) == list(skm.ELEMENT_CODES)
    assert by_code["waktu"]["question"] == "Seberapa cepat layanan KTP-el kami?"
    assert by_code["waktu"]["question_en"] == skm.ELEMENTS[2].question_en
    assert by_code["sarana"]["question_en"] == "How is our waiting room?"
    assert [a["label"] for a in by_code["biaya"]["answers"]] == ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
    assert [a["score"] for a in by_code["biaya"]["answers"]] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("survey.show_on_dispaly", True, "unknown key survey.show_on_dispaly (did you mean survey.show_on_display?)"),
        (
            "survey.questions.persyaratn",
            "x",
            "unknown key survey.questions.persyaratn (did you mean survey.questions.persyaratan?)",
        ),
        ("survey.questions.waktu", 3, "survey.questions.waktu must be str, got 3"),
        ("survey.enabled", "yes", "survey.enabled must be bool, got 'yes'"),
        ("survey.display_days", 0, "survey.display_days must be a positive whole number, got 0"),
        ("survey.questions.sarana", "x" * 301, "survey.questions.sarana: at most 300 characters, not 301"),
    ],
)
def test_a_mistake_in_the_survey_settings_stops_start_up(key, value, message):
    with pytest.raises(ConfigError) as caught:
        load_settings(packaged_config(), {key: value})
    assert caught.value.message == message


def test_the_period_report_counts_identical_suggestions_together_most_frequent_first():
    rows = [
        {**dict.fromkeys(skm.ELEMENT_CODES, 3), "suggestion": text, "channel": "phone"}
        for text in ("Toilet kotor", "Antrean cepat", "Toilet kotor", None, "Parkir sempit")
    ]
    report = skm.period_report(rows, population=10)
    assert report["suggestions"] == [
        {"text": "Toilet kotor", "count": 2},
        {"text": "Antrean cepat", "count": 1},
        {"text": "Parkir sempit", "count": 1},
    ]
    assert (report["respondents"], report["population"], report["sample_size"]) == (5, 10, 10)
    assert report["channels"] == {"phone": 5, "kiosk": 0}


# ---------------------------------------------------------------- whole values (the mutation run's findings)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("a8", "A-008"),
        ("A 008", "A-008"),
        (" b-12 ", "B-012"),
        ("C.1", "C-001"),
        ("d9999", "D-9999"),
        ("A1", "A-001"),
    ],
)
def test_a_typed_queue_number_takes_its_printed_form(typed, number):
    assert skm.check_number(typed) == number


@pytest.mark.parametrize("typed", ["A0", "A-000", "8", "AB-1", "A-12345", "", None, 8, ["A-001"]])
def test_a_queue_number_that_cannot_be_one_is_refused_with_the_example(typed):
    with pytest.raises(BadRequest) as refused:
        skm.check_number(typed)
    assert refused.value.message == "Tulis nomor antrean seperti pada tiket, misalnya A-008 (field 'number')."


@pytest.mark.parametrize(
    ("answers", "accepted"),
    [
        ([1] * 9, True),
        ([4] * 9, True),
        ([0] + [4] * 8, False),
        ([4] * 8 + [5], False),
        ([4] * 8, False),
        ([4] * 10, False),
        ([True] * 9, False),
        ([4.0] * 9, False),
        ("444444444", False),
        (None, False),
    ],
)
def test_answers_are_nine_whole_scores_from_1_to_4(answers, accepted):
    if accepted:
        assert skm.check_answers(answers) == tuple(answers)
    else:
        with pytest.raises(BadRequest) as refused:
            skm.check_answers(answers)
        assert refused.value.message == ("Jawaban harus berisi 9 angka 1-4 sesuai urutan pertanyaan (field 'answers').")


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (["L"], "Profil responden harus berupa objek JSON (field 'profile')."),
        ({"nik": "1", "agama": "x"}, "Bagian profil tidak dikenal: 'agama'."),
        ({"x" * 50: 1}, f"Bagian profil tidak dikenal: {'x' * 40!r}."),
        ({"gender": "X"}, "Pilihan 'gender' pada profil tidak dikenal."),
    ],
)
def test_a_wrong_profile_is_refused_naming_the_problem(profile, message):
    with pytest.raises(BadRequest) as refused:
        skm.check_profile(profile)
    assert refused.value.message == message


def test_suggestion_refusals_say_why():
    for value, message in (
        (12, "Saran harus berupa teks (field 'suggestion')."),
        ("a" * 501, "Saran paling panjang 500 karakter."),
    ):
        with pytest.raises(BadRequest) as refused:
            skm.check_suggestion(value)
        assert refused.value.message == message


def test_the_questionnaire_has_every_field_in_both_languages():
    form = skm.questionnaire({}, {})
    assert form["suggestion_max"] == 500 and set(form) == {"elements", "profile", "suggestion_max"}
    assert form["elements"][0] == {
        "element": "persyaratan",
        "name": "Persyaratan",
        "name_en": "Requirements",
        "question": "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "question_en": "How well do the requirements match the service you received?",
        "answers": [
            {"score": 1, "label": "Tidak sesuai", "label_en": "Not suitable"},
            {"score": 2, "label": "Kurang sesuai", "label_en": "Less suitable"},
            {"score": 3, "label": "Sesuai", "label_en": "Suitable"},
            {"score": 4, "label": "Sangat sesuai", "label_en": "Very suitable"},
        ],
    }
    assert form["profile"][0] == {
        "part": "gender",
        "title": "Jenis kelamin",
        "title_en": "Gender",
        "options": [
            {"code": "L", "label": "Laki-laki", "label_en": "Male"},
            {"code": "P", "label": "Perempuan", "label_en": "Female"},
        ],
    }
    assert [part["part"] for part in form["profile"]] == ["gender", "age", "education", "job"]


def test_the_period_report_counts_each_profile_choice_and_the_unanswered():
    rows = [
        {**dict.fromkeys(skm.ELEMENT_CODES, 4), "gender": "L", "age": "17-25", "channel": "phone", "suggestion": None},
        {**dict.fromkeys(skm.ELEMENT_CODES, 4), "gender": "L", "job": "swasta", "channel": "kiosk", "suggestion": None},
        {
            **dict.fromkeys(skm.ELEMENT_CODES, 3),
            "persyaratan": 2,
            "gender": "P",
            "channel": "phone",
            "suggestion": None,
        },
    ]
    report = skm.period_report(rows, population=10)
    gender, age, education, job = report["profile"]
    assert gender == {
        "part": "gender",
        "title": "Jenis kelamin",
        "unanswered": 0,
        "options": [{"code": "L", "label": "Laki-laki", "count": 2}, {"code": "P", "label": "Perempuan", "count": 1}],
    }
    assert [(o["code"], o["count"]) for o in age["options"]] == [
        ("17-25", 1),
        ("26-35", 0),
        ("36-45", 0),
        ("46-55", 0),
        ("56+", 0),
    ]
    assert (age["unanswered"], education["unanswered"], job["unanswered"]) == (2, 3, 2)
    # Persyaratan 10/3, the others 11/3: IKM 90.74, grade A.
    assert (report["ikm"], report["grade"], report["grade_label"], report["population"], report["sample_size"]) == (
        90.74,
        "A",
        "Sangat Baik",
        10,
        10,
    )
    assert report["channels"] == {"phone": 2, "kiosk": 1}
    assert report["elements"][0] == {
        "element": "persyaratan",
        "mean": 3.3333,
        "grade": "B",
        "name": "Persyaratan",
        "grade_label": "Baik",
    }
    assert report["needs_improvement"][0] == {
        "element": "persyaratan",
        "mean": 3.3333,
        "grade": "B",
        "name": "Persyaratan",
        "grade_label": "Baik",
    }
    assert report["elements"][1]["grade_label"] == "Sangat Baik"
    assert report["suggestions"] == []


def test_an_empty_period_has_every_element_without_figures():
    report = skm.period_report([], population=0)
    assert report["elements"][0] == {
        "element": "persyaratan",
        "mean": None,
        "grade": None,
        "name": "Persyaratan",
        "grade_label": None,
    }
    assert (report["respondents"], report["ikm"], report["grade"], report["grade_label"], report["sample_size"]) == (
        0,
        None,
        None,
        None,
        0,
    )
    assert report["needs_improvement"] == []


def test_suggestions_with_the_same_count_come_in_text_order():
    rows = [
        {**dict.fromkeys(skm.ELEMENT_CODES, 4), "suggestion": text, "channel": "phone"}
        for text in ("Tambah kursi", "Antrean cepat", "Tambah kursi", "Parkir sempit", "Antrean cepat", "AC")
    ]
    assert skm.period_report(rows, 6)["suggestions"] == [
        {"text": "Antrean cepat", "count": 2},
        {"text": "Tambah kursi", "count": 2},
        {"text": "AC", "count": 1},
        {"text": "Parkir sempit", "count": 1},
    ]


@pytest.mark.parametrize(("population", "sample"), [(-1, 0), (0, 0), (1, 1), (10, 10), (100, 80), (1000, 278)])
def test_krejcie_morgan_at_the_small_end(population, sample):
    assert skm.krejcie_morgan(population) == sample
