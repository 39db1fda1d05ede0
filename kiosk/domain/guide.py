"""The kiosk's spoken sentences ("Mode suara"): a finite catalogue of keys -> Indonesian text.

The kiosk page asks for speech by key only (``/api/speech/<key>.wav``), never with free text, so
the server renders at most this many sentences with espeak-ng and a client cannot make it speak
(or burn CPU on) anything else. The page builds longer utterances as sequences of keys: "Tekan
satu untuk" + "Perekaman ka te pe el"; a queue number as its letter and then each digit.

Keys:
    screen.<name>           where the resident is, for a ``[data-screen]`` of the kiosk page
    t.<word>                the spoken form of a kiosk text (the ``data-t`` key of the element)
    press.<0-9>             "Tekan satu untuk"
    digit.<0-9>, letter.<A-Z>
    count.<0-999>           a whole number in words (people ahead, minutes of waiting)
    service.<CODE>          each configured service's name
    call_to.<CODE>          which counter(s) will call a number of that service
    counter.<id>            each configured counter's name
    status.<SIAK>.label / .message / .next   each KTP-el status, as shown after a status check
    bring.<CODE>.<n>        each item a service asks the resident to bring (its requirements)
    reason.<reason>         each disruption reason, as the kiosk's disruption notice shows it
    error.<code>            an API error code the kiosk's error screen can show (error.error: any other)
    survey.q.<element>      each satisfaction survey question, as configured ([survey.questions])
    survey.a.<element>.<1-4>, survey.count.<1-9>, survey.part.<part>, survey.option.<part>.<code>,
    survey.error.<code>
    standard.maklumat, standard.<CODE>.<requirements|procedure|time_standard|cost|product>   the published
                            Standar Pelayanan (/kiosk/standar), as configured
    complaint.category.<category>, complaint.due.<category>   each complaint category and its deadline
    voice.* help.* ticket.* input.*          the voice mode's own sentences

Pure: no Flask, no SQLite.
"""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING

from kiosk.domain.announce import number_words, spoken_counter
from kiosk.domain.complaints import CATEGORIES, STANDARD_KEYS
from kiosk.domain.disruptions import LABELS as DISRUPTION_LABELS
from kiosk.domain.queue import MONTH_NAMES
from kiosk.domain.status import STATUSES
from kiosk.domain.survey import ELEMENTS, PROFILE, PROFILE_TITLES

if TYPE_CHECKING:
    from kiosk.domain.settings import Settings

# Indonesian letter names: espeak-ng reads a lone "C" or "Q" unreliably.
LETTER_NAMES = dict(
    zip(
        string.ascii_uppercase,
        (
            "a",
            "be",
            "ce",
            "de",
            "e",
            "ef",
            "ge",
            "ha",
            "i",
            "je",
            "ka",
            "el",
            "em",
            "en",
            "o",
            "pe",
            "ki",
            "er",
            "es",
            "te",
            "u",
            "ve",
            "we",
            "eks",
            "ye",
            "zet",
        ),
        strict=True,
    )
)

# Written forms that espeak-ng would misread, and how a person says them.
_SPOKEN_FORMS = (
    (re.compile(r"\bKTP-el\b", re.IGNORECASE), "ka te pe el"),
    (re.compile(r"\be-KTP\b", re.IGNORECASE), "e ka te pe"),
    (re.compile(r"\bIKD\b"), "i ka de"),
    (re.compile(r"\bNIK\b"), "nik"),
    (re.compile(r"\bKK\b"), "ka ka"),
    (re.compile(r"\s*/\s*"), ", "),
    (re.compile(r"(\d)\s*-\s*(\d)"), r"\1 sampai \2"),  # a range: "17-25 tahun"
)

MAX_COUNT = 999  # people ahead or minutes of waiting beyond this are not read out

FIXED = {
    # voice mode itself
    "voice.start": "Mode suara aktif.",
    "voice.leave": "Mode suara selesai.",
    "voice.idle": "Tidak ada kegiatan. Layar kembali ke awal, dan mode suara selesai.",
    "voice.exit": "keluar dari mode suara.",
    "help.keys": "Tekan angka pilihan Anda, lalu tekan Enter untuk memilih. "
    "Tekan nol untuk kembali, dan bintang untuk mengulang.",
    "help.confirm": "Tekan Enter untuk memilih.",
    "help.tap_again": "Sentuh sekali lagi untuk memilih.",
    "help.choose_first": "Tekan dulu angka pilihan Anda.",
    "help.no_choice": "Pilihan itu tidak ada. Tekan bintang untuk mendengar pilihan lagi.",
    # the start screen's first reading is short (help.services.N, the other choices, help.more); "*" reads all
    "help.more": "Tekan bintang untuk daftar lengkap.",
    "input.deleted": "Dihapus.",
    "input.empty": "Belum ada angka.",
    "input.entered": "Angka yang sudah Anda masukkan:",
    "input.help": "Ketik angkanya dengan keypad. Tombol hapus menghapus angka terakhir; "
    "bila belum ada angka, tombol hapus kembali ke layar sebelumnya.",
    "press.enter": "Tekan Enter untuk",
    # the number taken
    "ticket.again": "Sekali lagi.",
    # where the resident is
    "screen.start": "Anda berada di layar awal.",
    "screen.priority": "Anda berada di layar pilihan antrean.",
    "screen.result": "Nomor antrean Anda sudah dibuat.",
    # the error screen: what the API's error code says on screen; any other code gets error.error
    "error.error": "Ada masalah. Silakan minta bantuan petugas.",
    "error.offline": "Tidak dapat terhubung ke server. Silakan coba lagi atau minta bantuan petugas.",
    "error.service_closed": "Layanan ini tidak sedang memberikan nomor antrean. "
    "Silakan pilih layanan lain atau tanyakan kepada petugas.",
    "error.quota_reached": "Kuota nomor antrean hari ini sudah habis.",
    "error.unknown_service": "Layanan ini tidak tersedia.",
    "error.no_services": "Belum ada layanan yang dapat dipilih. Silakan minta bantuan petugas.",
    "error.not_a_kiosk": "Layar ini bukan kios antrean kantor. Silakan minta bantuan petugas.",
    "error.rate_limited": "Terlalu banyak permintaan dari kios ini. Silakan tunggu sebentar lalu coba lagi.",
    # kiosk texts (data-t keys of templates/kiosk/index.html and kiosk.js)
    "t.start_title": "Ambil nomor antrean.",
    "t.start_hint": "Pilih layanan yang Anda perlukan.",
    "t.priority_title": "Apakah Anda termasuk antrean prioritas?",
    "t.regular": "Umum,",
    "t.regular_sub": "antrean biasa.",
    "t.priority": "Prioritas,",
    "t.priority_sub": "untuk lansia, penyandang disabilitas, ibu hamil, atau yang membawa balita.",
    "t.priority_note": "Cukup pilih; Anda tidak perlu menunjukkan bukti.",
    "t.back": "Kembali.",
    "t.busy": "Nomor antrean sedang dibuat. Mohon tunggu.",
    "t.your_number": "Nomor antrean Anda:",
    "t.ahead": "Antrean di depan Anda:",
    "t.wait": "Perkiraan waktu tunggu, sekitar",
    "t.wait_soon": "Anda akan segera dipanggil.",
    "word.minutes": "menit.",
    "t.take_ticket": "Silakan ambil tiket Anda.",
    "t.printer_fault": "Printer bermasalah. Nomor Anda tetap berlaku; silakan minta bantuan petugas.",
    "t.done": "Selesai.",
    "t.sorry": "Mohon maaf.",
    "t.back_home": "Kembali ke awal.",
    "t.still_there": "Masih di sana? Layar akan segera kembali ke awal.",
    "t.continue": "Lanjutkan.",
    # the KTP-el status check (kiosk-status.js)
    "screen.status-notice": "Anda berada di layar cek status ka te pe el.",
    "screen.status-entry": "Anda berada di layar memasukkan nomor.",
    "screen.status-answer": "Hasil pemeriksaan sudah ada.",
    "t.status_start": "Cek status ka te pe el.",
    "t.status_title": "Cek status ka te pe el.",
    "t.notice_title": "Sebelum mulai, dengarkan ini.",
    "t.notice_what": "Anda akan memasukkan nik dan nomor Kartu Keluarga, atau ka ka. "
    "Keduanya hanya dipakai untuk mencari status ka te pe el Anda.",
    "t.notice_kept": "Dari pemeriksaan ini, nik, nomor ka ka, dan nama Anda tidak disimpan. Yang dicatat hanya "
    "waktu, kios yang dipakai, hasil pemeriksaan, dan kode pengganti nik yang tidak dapat diubah "
    "kembali menjadi nik.",
    "t.notice_wipe": "Semua yang Anda masukkan dihapus saat Anda selesai atau meninggalkan kios.",
    "t.next": "Lanjut.",
    "t.key_next": "Lanjut.",
    "t.key_delete": "Hapus.",
    "t.step_nik": "Langkah satu dari dua.",
    "t.step_kk": "Langkah dua dari dua.",
    "t.nik_title": "Masukkan nik Anda, enam belas angka.",
    "t.nik_hint": "Nik ada di Kartu Keluarga, pada kolom nik di baris nama Anda.",
    "t.kk_title": "Masukkan nomor ka ka, enam belas angka.",
    "t.kk_hint": "Nomor ka ka ada di bagian atas Kartu Keluarga, setelah tulisan No.",
    "t.nik_short": "Nik harus enam belas angka.",
    "t.kk_short": "Nomor ka ka harus enam belas angka.",
    "t.checking": "Sedang memeriksa. Mohon tunggu.",
    "t.answer_title": "Status ka te pe el Anda.",
    "t.take": "Ambil nomor antrean",
    "t.take_closed": "Layanan berikutnya tidak dapat dipilih sekarang. Silakan tanyakan kepada petugas.",
    "t.lookup_failed": "Tidak dapat memeriksa status sekarang. Silakan coba lagi atau tanyakan kepada petugas.",
    "t.invalid_nik": "Nik ini tidak sah. Periksa lagi enam belas angka di Kartu Keluarga Anda.",
    "t.invalid_kk": "Nomor ka ka ini tidak sah. Periksa lagi enam belas angka di Kartu Keluarga Anda.",
    "t.not_found": "Data tidak ditemukan. Periksa lagi nik dan nomor ka ka, atau tanyakan kepada petugas.",
    "t.rate_limited": "Terlalu banyak pemeriksaan. Silakan coba lagi nanti atau tanyakan kepada petugas.",
    "input.complete": "Angkanya sudah lengkap. Tekan Enter untuk melanjutkan.",
    "input.full": "Sudah lengkap; angka itu tidak ditambahkan. Tekan Enter untuk melanjutkan, "
    "atau tombol hapus untuk memperbaiki.",
    # the satisfaction survey (kiosk-survey.js); its questions and answers come from the configuration
    "t.survey_entry": "Survei kepuasan.",
    "screen.survey-number": "Anda berada di layar survei kepuasan.",
    "t.survey_title": "Survei kepuasan masyarakat.",
    "t.survey_number_hint": "Masukkan nomor antrean Anda yang sudah dilayani hari ini: hurufnya dulu, lalu angkanya.",
    "word.letter": "huruf",
    "survey.number_help": "Ketik angka nomor Anda dengan keypad, lalu tekan Enter. Tombol hapus menghapus angka "
    "terakhir; bila belum ada angka, tombol hapus menghapus hurufnya.",
    "t.survey_previous": "Sebelumnya.",
    "screen.survey-profile": "Pertanyaan sudah selesai.",
    "t.survey_profile": "Tentang Anda.",
    "t.survey_profile_voice": "Bagian ini boleh dilewati. Pilih bagian yang ingin Anda isi, atau langsung kirim jawaban.",
    "t.survey_send": "Kirim jawaban.",
    "survey.sending": "Mengirim jawaban. Mohon tunggu.",
    "survey.part_empty": "Belum dipilih.",
    "t.survey_thanks": "Terima kasih.",
    "t.survey_thanks_text": "Penilaian Anda sudah kami terima dan membantu kami memperbaiki layanan.",
    # what the survey's API answers (and the page itself) say on screen, by error code
    "survey.error.error": "Terjadi kesalahan. Silakan coba lagi atau minta bantuan petugas.",
    "survey.error.need_number": "Pilih dulu huruf, lalu ketik angka nomor Anda.",
    "survey.error.bad_request": "Periksa nomor pada tiket Anda, misalnya a, nol, nol, delapan.",
    "survey.error.not_found": "Nomor itu tidak ditemukan di antrean hari ini. Periksa nomor pada tiket Anda.",
    "survey.error.not_served": "Survei dapat diisi setelah nomor itu selesai dilayani.",
    "survey.error.already_answered": "Survei untuk nomor itu sudah diisi. Terima kasih.",
    "survey.error.rate_limited": "Terlalu banyak percobaan. Silakan coba lagi beberapa menit lagi "
    "atau tanyakan kepada petugas.",
    "survey.error.not_a_kiosk": "Survei dengan nomor antrean hanya dapat diisi di kios kantor. "
    "Silakan minta bantuan petugas.",
    "survey.error.survey_disabled": "Survei kepuasan tidak diadakan di kantor ini.",
    "t.cancel": "Batal.",
    # the start screen's "Layanan lainnya" and the kiosk's standards and complaints page (/kiosk/standar)
    "t.more_entry": "Layanan lainnya: nomor untuk hari lain, standar pelayanan, dan pengaduan.",
    "screen.more": "Anda berada di layar layanan lainnya.",
    "t.standards_entry": "Standar pelayanan dan pengaduan.",
    "screen.standards": "Anda berada di layar standar pelayanan.",
    "t.choose_service": "Pilih layanan untuk mendengar standarnya: persyaratan, prosedur, waktu, biaya, dan produknya.",
    "t.complain": "Sampaikan pengaduan.",
    "t.maklumat": "Maklumat pelayanan.",
    "t.home": "Kembali ke layar awal kios.",
    "screen.standard": "Standar pelayanan.",
    "screen.maklumat": "Maklumat pelayanan kantor ini.",
    "t.requirements": "Persyaratan:",
    "t.procedure": "Prosedur:",
    "t.time_standard": "Jangka waktu:",
    "t.cost": "Biaya:",
    "t.product": "Produk pelayanan:",
    "screen.complaint-category": "Anda berada di layar pengaduan.",
    "t.category_title": "Apa yang ingin Anda sampaikan? Pilih jenis pengaduan.",
    "screen.complaint-text": "Tulis pengaduan Anda dengan papan ketik di layar.",
    "t.text_voice": "Bila Anda tidak dapat mengetik, pilih minta dihubungi: petugas akan menghubungi Anda "
    "lewat telepon untuk mendengar pengaduan Anda.",
    "t.call_me": "Minta dihubungi.",
    "screen.complaint-phone": "Minta dihubungi, nomor ponsel.",
    "t.phone_hint": "Tulis nomor ponsel Anda bila ingin dihubungi atau menerima jawaban lewat SMS. Boleh dilewati.",
    "complaint.phone_help": "Ketik nomor ponsel Anda dengan keypad, lalu tekan Enter untuk mengirim pengaduan. "
    "Tanpa nomor, langsung tekan Enter.",
    "t.send": "Kirim pengaduan.",
    "complaint.sending": "Mengirim pengaduan. Mohon tunggu.",
    "complaint.error": "Pengaduan belum terkirim. Silakan coba lagi atau sampaikan kepada petugas.",
    "complaint.need_phone": "Untuk minta dihubungi, ketik dulu nomor ponsel Anda.",
    "screen.complaint-sent": "Pengaduan Anda sudah diterima.",
    "complaint.code_is": "Nomor pengaduan Anda:",
    "t.take_receipt": "Silakan ambil tanda terima Anda dari printer. Di dalamnya ada nomor pengaduan dan kode "
    "kuar untuk melihat jawabannya di ponsel.",
    # what to bring before a number (kiosk.js renderBring; each item is bring.<CODE>.<n>)
    "screen.bring": "Sebelum mengambil nomor, periksa yang perlu Anda bawa.",
    "screen.missing": "Yang perlu Anda bawa.",
    "t.bring_title": "Sudah membawa semuanya?",
    "t.bring_yes": "Ya, sudah lengkap.",
    "t.bring_no": "Belum.",
    "t.missing_title": "Bawa semua ini, lalu datang kembali.",
    "t.missing_hint": "Ambil nomor untuk hari lain agar tidak perlu antre lagi dari awal.",
    "t.later_day": "Ambil nomor untuk hari lain.",
    # a disruption (kiosk-disruption.js): the reason as reason.<code>, then what is paused
    "t.disruption_title": "Gangguan layanan.",
    "disruption.all": "Semua layanan dihentikan sementara.",
    "disruption.one": "Layanan ini dihentikan sementara:",
    "t.disruption_instead": "Yang dapat Anda lakukan sekarang:",
    # one number per NIK (the status check's keypad) and families on one number
    "t.step_ticket": "Satu nomor per nik per hari.",
    "t.ticket_title": "Masukkan nik Anda, enam belas angka.",
    "t.ticket_hint": "Nik ada di Kartu Keluarga. Bila nik ini sudah mendapat nomor hari ini, nomor itu dicetak ulang.",
    "t.ticket_short": "Nik harus enam belas angka.",
    "screen.members": "Anda berada di layar jumlah orang.",
    "t.members_title": "Untuk berapa orang?",
    "t.members_hint": "Satu nomor untuk sampai lima orang dari satu Kartu Keluarga.",
    "t.existing": "Nik ini sudah mendapat nomor hari ini. Ini nomor Anda, dicetak ulang.",
    # a number for a later day (kiosk-later.js): days as weekday.<0-6> count.<day> month.<1-12>, times as counts
    "screen.later": "Anda berada di layar nomor untuk hari lain.",
    "screen.later-days": "Pilih hari kedatangan.",
    "screen.later-slots": "Pilih jam kedatangan.",
    "screen.later-done": "Pemesanan Anda sudah dibuat.",
    "t.later_hint": "Pilih layanan, lalu hari dan jam kedatangan.",
    "t.later_days_title": "Pilih hari.",
    "t.later_slots_title": "Pilih jam kedatangan.",
    "t.later_booked": "Nomor Anda untuk hari lain.",
    "t.later_code": "Kode pemesanan Anda:",
    "t.later_slip": "Simpan slip ini. Pada hari itu, pindai slip atau ketik kodenya di kios ini.",
    "t.checkin_label": "Bila sudah punya kode, pindai slip Anda di pemindai kios.",
    "t.checkin_walk_in": "Jam kedatangan Anda sudah lewat: Anda mendapat nomor biasa.",
    "t.checkin_booked": "Anda dipanggil lebih dahulu sesuai jam Anda.",
    "t.checkin_late_hint": "Bila nomor Anda terlewat saat dipanggil, pindai kode QR pada tiket Anda di pemindai kios.",
    "t.checkin_late_return": "Nomor Anda masuk antrean lagi. Silakan tunggu panggilan.",
    "word.come": "Datang pukul",
    "word.bring": "Bawa:",
    "word.until": "sampai",
    "error.slot_full": "Jam kedatangan ini sudah penuh. Silakan pilih jam atau hari lain.",
    "error.already_booked": "Nik ini sudah memiliki nomor atau pemesanan untuk layanan ini pada hari itu.",
    "error.nik_required": "Layanan ini memerlukan nik.",
    "error.too_early": "Terlalu awal. Silakan kembali sesuai jam pada slip Anda.",
    "error.not_today": "Nomor Anda untuk hari lain. Lihat tanggal pada slip Anda.",
    "error.expired": "Pemesanan ini sudah kedaluwarsa.",
    "error.already_checked_in": "Kode ini sudah dipakai untuk mengambil nomor antrean.",
    "error.unknown_booking": "Kode pemesanan tidak dikenal. Periksa lagi kode pada slip Anda.",
    "error.not_a_no_show": "Nomor ini tidak sedang terlewat. Silakan tunggu panggilan, atau tanyakan kepada petugas.",
    "error.too_late": "Nomor Anda terlewat terlalu lama. Silakan ambil nomor baru.",
    "error.already_returned": "Nomor ini sudah pernah dikembalikan ke antrean. Silakan tanyakan kepada petugas.",
    "error.unknown_ticket": "Kode QR tiket ini tidak dikenal. Silakan tanyakan kepada petugas.",
}
WEEKDAYS = ("Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu")  # JavaScript's getDay() order
FIXED.update({f"weekday.{index}": name + "," for index, name in enumerate(WEEKDAYS)})
FIXED.update({f"month.{index}": name for index, name in enumerate(MONTH_NAMES, 1)})
# one number for a family (kiosk.js renderTicket): "Untuk tiga orang."
FIXED.update({f"members.{count}": f"Untuk {number_words(count)} orang." for count in range(2, 6)})
FIXED["survey.error.offline"] = FIXED["error.offline"]  # the survey loses the server in the same words
# the SMS opt-in after a number (kiosk-sms.js, templates/kiosk/_sms.html)
FIXED.update(
    {
        "screen.sms-phone": "Anda berada di layar nomor ha pe untuk SMS.",
        "screen.sms-done": "Nomor ha pe Anda sudah disimpan.",
        "t.sms_offer": "Kirim SMS saat giliran saya dekat.",
        "t.sms_for": "Untuk nomor antrean",
        "t.sms_for_booking": "Untuk pemesanan dengan kode",
        "t.sms_title": "Ketik nomor ha pe Anda, dimulai dengan nol delapan.",
        "t.sms_hint": "Kami kirim SMS saat tinggal tiga nomor lagi sebelum Anda, dan saat Anda dipanggil.",
        "t.sms_kept": "Nomor ha pe hanya disimpan sampai antrean Anda selesai, lalu dihapus.",
        "t.sms_send": "Kirim.",
        "t.sms_done_title": "SMS akan dikirim.",
        "t.sms_done_voice": "Anda akan menerima SMS saat giliran Anda sudah dekat dan saat Anda dipanggil. "
        "Tetap simpan tiket Anda.",
        "t.sms_done_booking_voice": "Anda akan menerima SMS pengingat pada sore sebelum hari kedatangan, "
        "dan kabar bila layanan terganggu.",
        "error.invalid_phone": "Nomor ha pe tidak valid. Nomor ha pe dimulai dengan nol delapan, "
        "sepuluh sampai tiga belas angka.",
        "error.sms_short": "Nomor ha pe belum lengkap.",
        "error.ticket_not_waiting": "Nomor antrean ini tidak sedang menunggu.",
        "error.sms_unavailable": "Layanan SMS belum aktif di kantor ini.",
    }
)


# Profile answers whose written form espeak-ng would misread (school levels, forces).
_PROFILE_SPOKEN = {
    ("education", "sd"): "es de ke bawah",
    ("education", "smp"): "es em pe, atau sederajat",
    ("education", "sma"): "es em a, atau sederajat",
    ("education", "diploma"): "diploma, de satu sampai de empat",
    ("education", "s1"): "es satu",
    ("education", "s2"): "es dua ke atas",
    ("job", "pns"): "pe en es",
    ("job", "tni"): "te en i",
    ("job", "polri"): "polri",
}


def spoken(text: str) -> str:
    """Return a written text as it should be read aloud: abbreviations spelled, digits as words."""
    for pattern, replacement in _SPOKEN_FORMS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\d+", lambda digits: f" {number_words(int(digits.group()))} ", text)
    return " ".join(text.split())


def _either(names: list[str]) -> str:
    """Join names the Indonesian way: "a", "a atau b", "a, b, atau c"."""
    if len(names) <= 2:
        return " atau ".join(names)
    return ", ".join(names[:-1]) + ", atau " + names[-1]


def sentences(settings: Settings) -> dict[str, str]:
    """Return the whole catalogue for this office: key -> the Indonesian sentence espeak-ng reads."""
    catalogue = dict(FIXED)
    for count in range(MAX_COUNT + 1):
        catalogue[f"count.{count}"] = number_words(count)
    for digit in range(10):
        catalogue[f"digit.{digit}"] = number_words(digit)
        catalogue[f"press.{digit}"] = f"Tekan {number_words(digit)} untuk"
    for count in range(1, 10):  # the start screen's short reading: how many services, which keys
        keys = "satu" if count == 1 else f"satu sampai {number_words(count)}"
        catalogue[f"help.services.{count}"] = f"Layar awal. Tekan {keys} untuk layanan."
    for place in range(1, 17):  # a NIK / nomor KK digit on a speaker: its place, never the digit itself
        catalogue[f"input.position.{place}"] = "Angka pertama." if place == 1 else f"Angka ke{number_words(place)}."
        catalogue[f"input.count.{place}"] = f"Sudah {number_words(place)} angka dimasukkan."
    for letter, name in LETTER_NAMES.items():
        catalogue[f"letter.{letter}"] = name
    for counter in settings.counters:
        catalogue[f"counter.{counter.id}"] = spoken_counter(counter.name)
    for service in settings.services:
        catalogue[f"service.{service.code}"] = spoken(service.name) + "."
        counters = [spoken_counter(c.name) for c in settings.counters if service.code in c.services]
        catalogue[f"call_to.{service.code}"] = (
            f"Nomor ini akan dipanggil ke {_either(counters)}." if counters else "Silakan tunggu panggilan."
        )
    for service in settings.services:
        for index, item in enumerate(service.requirements):
            catalogue[f"bring.{service.code}.{index}"] = spoken(item) + "."
    for reason, (label, _) in DISRUPTION_LABELS.items():
        catalogue[f"reason.{reason}"] = spoken(label) + "."
    for code, advice in STATUSES.items():
        catalogue[f"status.{code}.label"] = spoken(advice.label["id"]) + "."
        catalogue[f"status.{code}.message"] = spoken(advice.message["id"])
        if advice.next_step["id"]:
            catalogue[f"status.{code}.next"] = spoken(advice.next_step["id"])
    _survey(catalogue, settings)
    _standards(catalogue, settings)
    return catalogue


def _listed(items: tuple[str, ...]) -> str:
    """Say a list of items one by one: "Satu, Kartu Keluarga asli. Dua, ..."."""
    return " ".join(
        f"{number_words(index).capitalize()}, {spoken(item).rstrip('.')}." for index, item in enumerate(items, 1)
    )


def _standards(catalogue: dict[str, str], settings: Settings) -> None:
    """Add the Maklumat, each service's Standar Pelayanan (as configured) and the complaint categories."""
    catalogue["standard.maklumat"] = spoken(settings.office.maklumat) if settings.office.maklumat else "Belum diisi."
    for service in settings.services:
        for key in STANDARD_KEYS:
            value = getattr(service, key)
            if isinstance(value, tuple):
                text = _listed(value)
            else:
                text = spoken(value).rstrip(".") + "." if value else ""
            catalogue[f"standard.{service.code}.{key}"] = text or "Belum diisi."
    for category, (label, _) in CATEGORIES.items():
        days = settings.complaints.days(category)
        catalogue[f"complaint.category.{category}"] = f"{label}, dijawab paling lambat {number_words(days)} hari kerja."
        catalogue[f"complaint.due.{category}"] = (
            f"Jawabannya kami berikan paling lambat {number_words(days)} hari kerja setelah hari ini."
        )


def _survey(catalogue: dict[str, str], settings: Settings) -> None:
    """Add the satisfaction survey's questions (as the office configured them), answers and profile."""
    texts = settings.survey.texts()
    for number in range(1, len(ELEMENTS) + 1):
        catalogue[f"survey.count.{number}"] = f"Pertanyaan {number_words(number)} dari {number_words(len(ELEMENTS))}."
    for element in ELEMENTS:
        catalogue[f"survey.q.{element.code}"] = spoken(texts.get(element.code) or element.question)
        for score, label in enumerate(element.answers, 1):
            catalogue[f"survey.a.{element.code}.{score}"] = spoken(label) + "."
    for part, (title, _) in PROFILE_TITLES.items():
        catalogue[f"survey.part.{part}"] = spoken(title) + "."
    for part, options in PROFILE.items():
        for code, label, _ in options:
            catalogue[f"survey.option.{part}.{code}"] = (_PROFILE_SPOKEN.get((part, code)) or spoken(label)) + "."
