"""Complaints as use cases: lodge one, answer one, and the yearly evaluation pack.

Every change of a complaint is told about from one function, ``_announce``.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from kiosk.domain import complaints as rules
from kiosk.domain import evaluation
from kiosk.domain import survey as skm
from kiosk.domain.disruptions import Span
from kiosk.domain.errors import ConfigError
from kiosk.domain.settings import with_screen_changes
from kiosk.office import bus
from kiosk.storage import complaints as store
from kiosk.storage import services as service_store
from kiosk.storage import survey as survey_store

if TYPE_CHECKING:
    from kiosk.office.context import Office

log = logging.getLogger(__name__)
TOKEN_BYTES = 18  # 24 characters in the link: as hard to guess as a ticket's


def office_calendar(rt: Office, first: date) -> rules.OfficeCalendar:
    """Return the office's calendar with its closed dates from ``first`` on."""
    closed = {
        date.fromisoformat(day): reason for day, reason in service_store.closed_dates(rt.db, first.isoformat()).items()
    }
    return rules.OfficeCalendar.of(rt.settings.office, closed)


def lodge(
    rt: Office,
    category: str,
    text: str,
    phone: str | None,
    channel: str,
    received_by: str | None = None,
    ticket_hash: str | None = None,
    receipt_lang: str | None = None,
) -> dict[str, Any]:
    """Store a complaint received now with its deadline; return it.

    A complaint lodged at a kiosk queues its printed receipt in ``receipt_lang`` where a printer is configured
    (``receipt`` in the row returned: whether one was queued).
    """
    now = rt.now()
    printed = channel == "kiosk" and receipt_lang is not None and rt.settings.printer.type != "none"
    due = rules.due_at(now, rt.settings.complaints.days(category), office_calendar(rt, now.date()))
    complaint = store.add_complaint(
        db=rt.db,
        received_at=now,
        due_at=due,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        category=category,
        text=text,
        phone=phone,
        channel=channel,
        received_by=received_by,
        ticket_hash=ticket_hash,
        receipt_lang=receipt_lang if printed else None,
    )
    complaint["receipt"] = printed
    _announce(rt, "received", complaint)
    return complaint


def answer(rt: Office, code: str, text: str, lapor_ref: str | None, by: str) -> dict[str, Any]:
    """Record the office's answer (or its SP4N-LAPOR! referral) to a complaint; return it."""
    complaint = store.answer(rt.db, code, text, lapor_ref, rt.now(), by)
    _announce(rt, "answered", complaint)
    return complaint


def _announce(rt: Office, change: str, complaint: dict[str, Any]) -> None:
    """Tell about a complaint's change: the log (its code only, never its token or text) and open staff screens.

    Announced on the office's event bus; the screens' subscriber tells open streams with no content (the inbox
    asks for the list again). An SMS to the resident, where that channel is on, is one more subscriber.
    """
    log.info("complaint %s %s", complaint["code"], change)
    rt.bus.emit(bus.ComplaintChanged(code=complaint["code"], change=change))


def track_url(rt: Office, complaint: dict[str, Any]) -> str:
    """Return the link of the holder's page of a complaint."""
    return f"{rt.settings.office.public_url}/c/{complaint['token']}"


def holder_json(rt: Office, complaint: dict[str, Any]) -> dict[str, Any]:
    """Return a complaint as its holder sees it: the contract's fields first, then the text and the answer."""
    label, label_en = rules.CATEGORIES[complaint["category"]]
    status_label, status_label_en = rules.STATUS_LABELS[complaint["status"]]
    return {
        "code": complaint["code"],
        "token": complaint["token"],
        "category": complaint["category"],
        "status": complaint["status"],
        "due_at": complaint["due_at"],
        "track_url": track_url(rt, complaint),
        "category_label": label,
        "category_label_en": label_en,
        "status_label": status_label,
        "status_label_en": status_label_en,
        "received_at": complaint["received_at"],
        "overdue": rules.outcome(complaint, rt.now()) == "overdue",
        "text": complaint["text"],
        "answer": complaint["answer"],
        "answered_at": complaint["answered_at"],
        "lapor_ref": complaint["lapor_ref"],
    }


STAFF_HIDDEN = ("token", "track_url")  # the holder's own, as for tickets


def staff_json(rt: Office, complaint: dict[str, Any]) -> dict[str, Any]:
    """Return a complaint as the staff inbox shows it: never its token, with the contact and who did what."""
    shown = {key: value for key, value in holder_json(rt, complaint).items() if key not in STAFF_HIDDEN}
    shown.update(
        {
            "outcome": rules.outcome(complaint, rt.now()),
            "channel": complaint["channel"],
            "phone": complaint["phone"],
            "received_by": complaint["received_by"],
            "answered_by": complaint["answered_by"],
        }
    )
    return shown


def inbox(rt: Office, status: str | None) -> list[dict[str, Any]]:
    """Return the staff inbox, earliest deadline first: open (overdue among them), overdue, answered, or all."""
    answered = {None: None, "open": False, "overdue": False, "answered": True}[status]
    rows = [staff_json(rt, row) for row in store.list_complaints(rt.db, answered)]
    if status == "overdue":
        rows = [row for row in rows if row["overdue"]]
    return rows


# ---------------------------------------------------------------- the yearly evaluation pack


def evaluation_pack(rt: Office, year: int) -> dict[str, Any]:
    """Return the evaluation figures of ``year``: standards (with changes), SKM, complaints, service days."""
    now = rt.now()
    settings = rt.settings
    first, last = date(year, 1, 1), date(year, 12, 31)
    through = min(last, now.date())  # the days of a year still running count up to today (none for a later year)
    calendar = office_calendar(rt, first)
    opening = evaluation.days_per_month(calendar.working_days(first, through))
    served = evaluation.days_per_month(store.days_served(rt.db, first.isoformat(), through.isoformat()))
    zone = settings.office.timezone
    recorded, rows = store.disruptions_of_year(
        rt.db,
        datetime.combine(first, time(0), zone).isoformat(timespec="seconds"),
        datetime.combine(date(year + 1, 1, 1), time(0), zone).isoformat(timespec="seconds"),
    )
    spans = [
        Span(
            row["service"],
            row["reason"],
            datetime.fromisoformat(row["since"]),
            datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
        )
        for row in rows
    ]
    # Minutes only where the office records disruptions at all: before that, null, never a made-up zero.
    disrupted = evaluation.disruption_minutes_per_month(spans, year, zone, now) if recorded else [None] * 12
    return {
        "year": year,
        "office": settings.office.name,
        "generated_at": now.isoformat(timespec="seconds"),
        "through": through.isoformat(),
        "aspects": {part: {"aspect": aspect, "title": title} for part, (aspect, title) in evaluation.ASPECTS.items()},
        "standards": _standards_of_year(rt, year),
        "skm": _skm_quarters(rt, year),
        "complaints": evaluation.complaint_figures(
            store.complaints_received(rt.db, first.isoformat(), last.isoformat()), now
        ),
        "service_days": {
            "months": [
                {
                    "month": month,
                    "name": evaluation.MONTH_NAMES[month - 1],
                    "opening_days": opening[month - 1],
                    "served_days": served[month - 1],
                    "disruption_minutes": disrupted[month - 1],
                }
                for month in range(1, 13)
            ],
            "opening_days": sum(opening),
            "served_days": sum(served),
            "disruptions_recorded": recorded,
            "disruption_minutes": sum(value or 0 for value in disrupted) if recorded else None,
        },
    }


def _complaint_days(rt: Office) -> dict[str, int]:
    return {code: rt.settings.complaints.days(code) for code in rules.CATEGORIES}


def _skm_quarters(rt: Office, year: int) -> dict[str, Any]:
    rows = []
    for number, first, last in evaluation.quarters(year):
        responses = survey_store.survey_responses(rt.db, first.isoformat(), last.isoformat())
        summary = skm.summarize([[row[code] for code in skm.ELEMENT_CODES] for row in responses])
        rows.append(
            {
                "quarter": number,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "respondents": summary["respondents"],
                "population": survey_store.served_tickets(rt.db, first.isoformat(), last.isoformat()),
                "ikm": summary["ikm"],
                "grade": summary["grade"],
                "grade_label": skm.GRADES[summary["grade"]].label if summary["grade"] else None,
            }
        )
    responses = survey_store.survey_responses(rt.db, f"{year}-01-01", f"{year}-12-31")
    summary = skm.summarize([[row[code] for code in skm.ELEMENT_CODES] for row in responses])
    return {
        "quarters": rows,
        "year": {
            "respondents": summary["respondents"],
            "ikm": summary["ikm"],
            "grade": summary["grade"],
            "grade_label": skm.GRADES[summary["grade"]].label if summary["grade"] else None,
        },
    }


def _standards_of_year(rt: Office, year: int) -> dict[str, Any]:
    """Return the standards as published at the end of ``year`` (or now), with the changes made during it."""
    changes, published = standard_history(rt, year)
    return {**rules.standards_json(published.office, published.services, _complaint_days(rt)), "changes": changes}


def standard_history(rt: Office, year: int) -> tuple[list[dict[str, Any]], Any]:
    """Return the changes of the published standards and Maklumat made on the admin screen during ``year``, and
    the settings in force at its end.

    Each saved settings change is laid over the configuration file as at start-up and compared with the one
    before; the first is compared with the file's own values. Without any saved change before the year's end,
    the settings in force are the file's.
    """
    base = rt.file_settings or rt.settings
    published = base
    before = rules.standard_values(base.office, base.services)
    changes = []
    end = datetime(year, 12, 31, 23, 59, 59, tzinfo=rt.settings.office.timezone).isoformat()
    for saved in store.settings_changes_until(rt.db, end):
        try:
            settings = with_screen_changes(base, saved["changes"])
        except ConfigError:  # no longer fits the file: it was never in force as saved
            continue
        after = rules.standard_values(settings.office, settings.services)
        if saved["changed_at"][:4] == str(year):
            changes += [
                {"changed_at": saved["changed_at"], "changed_by": saved["changed_by"], **change}
                for change in rules.standard_changes(before, after)
            ]
        before, published = after, settings
    return changes, published
