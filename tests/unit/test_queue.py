"""Pure queue rules: transitions, numbering, opening hours, next choice, wait estimate."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain import queue
from kiosk.domain.errors import BadTransition
from kiosk.domain.settings import WEEKDAYS, Hours, parse_hours

JAKARTA = ZoneInfo("Asia/Jakarta")
WEEKDAY_HOURS = {day: parse_hours("08:00-15:00" if day not in ("sat", "sun") else "", day) for day in WEEKDAYS}


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [
        ("call", "waiting", "called"),
        ("recall", "called", "called"),
        ("serve", "called", "serving"),
        ("done", "serving", "done"),
        ("done", "called", "done"),  # "Selesai" straight after the call: one action less per resident
        ("no_show", "called", "no_show"),
        ("requeue", "no_show", "waiting"),
        ("cancel", "waiting", "cancelled"),
        ("transfer", "waiting", "waiting"),
        ("transfer", "called", "waiting"),
        ("transfer", "serving", "waiting"),
        ("expire", "waiting", "expired"),
        ("expire", "serving", "expired"),
    ],
)
def test_allowed_transitions(action, status, expected):
    assert queue.next_status(action, status, "A-001") == expected


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("call", "called"),
        ("call", "done"),
        ("recall", "waiting"),
        ("serve", "waiting"),
        ("serve", "serving"),
        ("done", "waiting"),
        ("done", "no_show"),
        ("no_show", "serving"),
        ("no_show", "waiting"),
        ("requeue", "waiting"),
        ("requeue", "done"),
        ("cancel", "called"),
        ("transfer", "done"),
        ("transfer", "no_show"),
        ("expire", "done"),
    ],
)
def test_refused_transitions(action, status):
    with pytest.raises(BadTransition) as error:
        queue.next_status(action, status, "A-007")
    assert error.value.code == "bad_transition"
    assert error.value.status == 409
    assert "A-007" in error.value.message


def test_every_status_is_reachable_and_terminal_states_stay_put():
    targets = {target for _, target in queue.TRANSITIONS.values()}
    assert targets | {"waiting"} == set(queue.STATUSES)
    for action, (sources, _) in queue.TRANSITIONS.items():
        assert not sources & {"done", "cancelled", "expired"}, action


@pytest.mark.parametrize(
    ("prefix", "seq", "number"), [("A", 1, "A-001"), ("B", 12, "B-012"), ("C", 999, "C-999"), ("D", 1000, "D-1000")]
)
def test_number_format(prefix, seq, number):
    assert queue.format_number(prefix, seq) == number


def test_office_day_rolls_over_at_local_midnight_not_utc():
    before = datetime(2026, 11, 27, 23, 59, 59, tzinfo=JAKARTA)
    after = datetime(2026, 11, 28, 0, 0, 0, tzinfo=JAKARTA)
    assert queue.office_day(before) == "2026-11-27"
    assert queue.office_day(after) == "2026-11-28"
    # 17:30 UTC is already the next day in Jakarta (UTC+7).
    utc_evening = datetime(2026, 11, 27, 17, 30, tzinfo=ZoneInfo("UTC")).astimezone(JAKARTA)
    assert queue.office_day(utc_evening) == "2026-11-28"


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        (datetime(2026, 11, 25, 7, 59, tzinfo=JAKARTA), "before_hours"),
        (datetime(2026, 11, 25, 8, 0, tzinfo=JAKARTA), None),
        (datetime(2026, 11, 25, 14, 59, tzinfo=JAKARTA), None),
        (datetime(2026, 11, 25, 15, 0, tzinfo=JAKARTA), "after_hours"),
        (datetime(2026, 11, 28, 9, 0, tzinfo=JAKARTA), "closed_today"),  # Saturday
        (datetime(2026, 12, 25, 9, 0, tzinfo=JAKARTA), "holiday"),  # Christmas, a Friday
        (datetime(2026, 8, 17, 9, 0, tzinfo=JAKARTA), "holiday"),  # Independence Day, a Monday
    ],
)
def test_availability_by_hours_and_holidays(moment, reason):
    state = queue.availability(moment, WEEKDAY_HOURS, observe_holidays=True)
    assert state.reason == reason
    assert state.open is (reason is None)


def test_closed_messages_are_indonesian_with_dotted_times():
    early = queue.availability(datetime(2026, 11, 25, 7, 0, tzinfo=JAKARTA), WEEKDAY_HOURS, True)
    late = queue.availability(datetime(2026, 11, 25, 16, 0, tzinfo=JAKARTA), WEEKDAY_HOURS, True)
    assert early.message == "Layanan dibuka pukul 08.00."
    assert late.message == "Layanan hari ini sudah tutup pukul 15.00."
    holiday = queue.availability(datetime(2026, 8, 17, 9, 0, tzinfo=JAKARTA), WEEKDAY_HOURS, True)
    assert holiday.message.startswith("Kantor tutup hari ini: ")


def test_holidays_ignored_when_not_observed_and_always_open_hours():
    always = {day: Hours(time(0, 0), time.max) for day in WEEKDAYS}
    assert queue.availability(datetime(2026, 12, 25, 23, 59, tzinfo=JAKARTA), always, False).open
    assert not queue.availability(datetime(2026, 12, 25, 23, 59, tzinfo=JAKARTA), always, True).open


@pytest.mark.parametrize(("quota", "issued", "open_"), [(None, 500, True), (100, 99, True), (100, 100, False)])
def test_quota(quota, issued, open_):
    state = queue.availability(
        datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA), WEEKDAY_HOURS, True, quota=quota, issued_today=issued
    )
    assert state.open is open_
    assert state.reason == (None if open_ else "quota_reached")


def test_closed_by_staff_wins():
    state = queue.availability(datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA), WEEKDAY_HOURS, True, closed_by_staff=True)
    assert (state.open, state.reason) == (False, "closed_by_staff")


P = queue.Waiting(10, True, "2026-11-25T09:05:00+07:00")
R = queue.Waiting(3, False, "2026-11-25T08:30:00+07:00")


@pytest.mark.parametrize(
    ("priority", "regular", "streak", "expected"),
    [
        (P, R, 0, P),  # priority first even though the regular ticket is older
        (P, R, 2, P),
        (P, R, 3, R),  # after three priority calls in a row, one regular
        (P, None, 3, P),  # no regular waiting: keep serving priority
        (None, R, 0, R),
        (None, None, 0, None),
    ],
)
def test_choose_next(priority, regular, streak, expected):
    assert queue.choose_next(priority, regular, streak, max_consecutive_priority=3) == expected


@pytest.mark.parametrize(
    ("recent", "streak"),
    [([], 0), ([True], 1), ([True, True, False, True], 2), ([False, True, True], 0), ([True, True, True], 3)],
)
def test_priority_streak(recent, streak):
    assert queue.priority_streak(recent) == streak


@pytest.mark.parametrize(
    ("ahead", "counters", "minutes", "expected"),
    [(0, 2, 10, 0), (1, 1, 10, 10), (5, 2, 10, 25), (3, 2, 7.5, 12), (4, 0, 10, 40)],
)
def test_estimate_wait(ahead, counters, minutes, expected):
    assert queue.estimate_wait_minutes(ahead, counters, minutes) == expected


def test_service_availability_applies_todays_override():
    from kiosk.domain.settings import load_settings
    from kiosk.paths import packaged_config

    settings = load_settings(packaged_config(), {"office.observe_national_holidays": False})
    rekam = settings.service("REKAM")  # daily_quota = 100
    now = datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA)
    office = settings.office
    assert queue.service_availability(office, rekam, now, None, 99).open
    assert queue.service_availability(office, rekam, now, {"daily_quota": 50}, 50).reason == "quota_reached"
    assert (
        queue.service_availability(office, rekam, now, {"daily_quota": None, "open": 0}, 0).reason == "closed_by_staff"
    )
    assert (
        queue.service_availability(office, rekam, now, {"daily_quota": None, "open": None}, 100).reason
        == "quota_reached"
    )


@pytest.mark.parametrize(
    ("hours", "day", "grace", "deadline"),
    [
        ("08:00-15:00", datetime(2026, 11, 25), 30, datetime(2026, 11, 25, 15, 30)),
        ("08:00-15:00", datetime(2026, 11, 25), 0, datetime(2026, 11, 25, 15, 0)),
        ("00:00-24:00", datetime(2026, 11, 25), 30, datetime(2026, 11, 26, 0, 30)),
        ("", datetime(2026, 11, 25), 10, datetime(2026, 11, 26, 0, 10)),  # closed that day: next midnight
        ("07:00-23:30", datetime(2026, 11, 25), 45, datetime(2026, 11, 26, 0, 15)),
    ],
)
def test_waiting_tickets_expire_at_closing_time_plus_grace(hours, day, grace, deadline):
    week = {name: parse_hours(hours, name) for name in WEEKDAYS}
    assert queue.waiting_deadline(week, day.date(), JAKARTA, grace) == deadline.replace(tzinfo=JAKARTA)


def test_a_refused_transition_names_the_ticket_or_says_this_ticket():
    with pytest.raises(BadTransition) as named:
        queue.next_status("serve", "done", "A-012")
    with pytest.raises(BadTransition) as unnamed:
        queue.next_status("serve", "done")
    with pytest.raises(BadTransition) as odd:
        queue.next_status("serve", "hilang")
    assert (
        named.value.message == f"Tiket A-012 sedang {queue.STATUS_LABELS['done']}, sehingga tidak dapat "
        f"{queue.ACTION_LABELS['serve']}."
    )
    assert unnamed.value.message.startswith("Tiket ini sedang ")
    assert odd.value.message.startswith("Tiket ini sedang hilang, sehingga tidak dapat ")


def test_the_end_of_day_reads_24_00():
    from kiosk.domain.queue import _clock

    assert (_clock(time.max), _clock(time(8, 5)), _clock(time(0, 0))) == ("24.00", "08.05", "00.00")


def test_each_reason_a_service_is_closed_comes_with_its_sentence():
    hours = {day: parse_hours("08:00-15:00" if day != "sun" else "", day) for day in WEEKDAYS}
    jakarta = ZoneInfo("Asia/Jakarta")
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=jakarta)
    cases = [
        (
            queue.availability(wednesday, hours, True, closed_by_staff=True),
            ("closed_by_staff", "Layanan ini ditutup sementara hari ini."),
        ),
        (
            queue.availability(wednesday, hours, True, closed_dates={wednesday.date(): "Rapat kecamatan"}),
            ("closed_date", "Kantor tutup hari ini: Rapat kecamatan."),
        ),
        (
            queue.availability(datetime(2026, 11, 29, 9, 0, tzinfo=jakarta), hours, True),
            ("closed_today", "Layanan tidak dibuka hari ini."),
        ),
        (
            queue.availability(wednesday, hours, True, quota=5, issued_today=5),
            ("quota_reached", "Kuota nomor antrean hari ini sudah habis."),
        ),
        (
            queue.availability(wednesday, hours, True, quota=0),  # a quota of 0 with nothing issued yet
            ("quota_reached", "Kuota nomor antrean hari ini sudah habis."),
        ),
    ]
    assert [(state.open, state.reason, state.message) for state, _ in cases] == [
        (False, *expected) for _, expected in cases
    ]
    assert queue.availability(wednesday, hours, True, quota=1).open is True


def test_the_next_opening_is_today_only_before_opening_time():
    hours = {day: parse_hours("08:00-15:00" if day != "sun" else "", day) for day in WEEKDAYS}
    jakarta = ZoneInfo("Asia/Jakarta")
    early = datetime(2026, 11, 25, 7, 59, tzinfo=jakarta)
    at_opening = datetime(2026, 11, 25, 8, 0, tzinfo=jakarta)
    assert queue.next_opening(early, hours, True) == datetime(2026, 11, 25, 8, 0, tzinfo=jakarta)
    assert queue.next_opening(at_opening, hours, True) == datetime(2026, 11, 26, 8, 0, tzinfo=jakarta)
    assert queue.next_opening(early, hours, True, from_tomorrow=True) == datetime(2026, 11, 26, 8, 0, tzinfo=jakarta)
    assert queue.next_opening(early, hours, True).tzinfo is jakarta


def test_the_date_is_said_from_a_week_ahead():
    now = datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA)
    six, seven = datetime(2026, 12, 1, 8, 0, tzinfo=JAKARTA), datetime(2026, 12, 2, 8, 0, tzinfo=JAKARTA)
    assert queue.reopen_text(now, six) == "Buka kembali Selasa, 08.00."
    assert queue.reopen_text(now, seven) == "Buka kembali Rabu, 2 Desember 2026, 08.00."
