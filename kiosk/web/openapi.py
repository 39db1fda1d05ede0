"""OpenAPI 3 description of the HTTP API (docs/contract.md, "Contracts"), served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from kiosk.domain.bookings import OPT_IN_PATTERN
from kiosk.domain.complaints import NOT_BLANK, PHONE_MAX, PHONE_PATTERN
from kiosk.domain.sms import PHONE_MAX as SMS_PHONE_MAX
from kiosk.domain.sms import PHONE_PATTERN as SMS_PHONE_PATTERN
from kiosk.domain.survey import NUMBER_PATTERN
from kiosk.version import __version__
from kiosk.web.common import IDEMPOTENCY_KEY_PATTERN

bp = Blueprint("openapi", __name__)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: tuple[int, str]) -> dict:
    return {str(status): _json(_ref("Error"), text) for status, text in codes}


_TICKET_ANSWER = _json({"type": "object", "properties": {"ticket": _ref("Ticket")}})
_STAFF_ERRORS = ((401, "login_required"), (403, "csrf_failed / forbidden"))
# A counter user acts only on tickets held by the counter their session works at (admins on any).
_TICKET_STAFF_ERRORS = ((401, "login_required"), (403, "csrf_failed / forbidden / other_counter"))
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _staff_action(summary: str, body: dict | None = None) -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": [{"session": [], "csrf": []}],
        "parameters": [_ID],
        "responses": {
            "200": _TICKET_ANSWER,
            **_errors(*_TICKET_STAFF_ERRORS, (404, "not_found"), (409, "bad_transition")),
        },
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        operation["responses"].update(_errors((400, "bad_request")))
    return {"post": operation}


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {
                        "type": "object",
                        "description": "What the message names, for a screen in another language: e.g. "
                        "not_today {date, start, end}, too_early {time}, not_a_no_show {number}",
                    },
                },
            }
        },
    },
    "Ticket": {
        "type": "object",
        "description": "token and track_url go only to the device that took the ticket and its holder: staff "
        "answers (counter, staff, admin) leave both out",
        "properties": {
            "id": {"type": "integer"},
            "token": {"type": "string"},
            "number": {"type": "string", "example": "A-001"},
            "service": {"type": "string"},
            "service_name": {"type": "string"},
            "service_name_en": {
                "type": "string",
                "nullable": True,
                "description": "the service's name in English ([[services]] name_en), or null",
            },
            "priority": {"type": "boolean"},
            "status": {
                "type": "string",
                "enum": ["waiting", "called", "serving", "done", "no_show", "cancelled", "expired"],
            },
            "issued_at": {"type": "string", "format": "date-time"},
            "called_at": {"type": "string", "format": "date-time", "nullable": True},
            "counter": {"type": "integer", "nullable": True},
            "counter_name": {"type": "string", "nullable": True},
            "ahead": {"type": "integer"},
            "estimated_wait_minutes": {"type": "integer"},
            "track_url": {"type": "string"},
            "print_status": {"type": "string", "enum": ["printed", "pending", "failed"]},
        },
    },
    "PublicTicket": {
        "type": "object",
        "description": "What anyone may see of a ticket: never its token, id or track URL",
        "additionalProperties": False,
        "properties": {
            "number": {"type": "string", "example": "A-001"},
            "service": {"type": "string"},
            "status": {"type": "string", "enum": ["called", "serving"]},
            "counter": {"type": "integer"},
            "called_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "Call": {
        "type": "object",
        "description": "A call or recall as anyone may see it (no ticket token or ticket id)",
        "properties": {
            "id": {"type": "integer", "description": "id of the call event (the SSE resume point), not the ticket's"},
            "number": {"type": "string"},
            "service": {"type": "string"},
            "counter": {"type": "integer"},
            "counter_name": {"type": "string"},
            "called_at": {"type": "string", "format": "date-time"},
            "recall": {"type": "boolean"},
            "announcement": {"type": "string"},
            "audio_url": {"type": "string"},
        },
    },
    "Service": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "name_en": {
                "type": "string",
                "nullable": True,
                "description": "the name in English ([[services]] name_en), or null",
            },
            "prefix": {"type": "string"},
            "open": {"type": "boolean"},
            "waiting": {"type": "integer"},
            "reason": {"type": "string", "nullable": True},
            "message": {"type": "string", "nullable": True},
        },
    },
}

PATHS = {
    "/api/services": {
        "get": {
            "summary": "Services, whether they issue numbers now, and how many wait",
            "responses": {"200": _json({"type": "array", "items": _ref("Service")})},
        }
    },
    "/api/tickets": {
        "post": {
            "summary": "Issue a queue number: kiosk PCs ([kiosk] addresses; ticket_burst at once, then "
            "tickets_per_second) or a staff session with its X-CSRF-Token",
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                    "description": "The same key answers the same ticket (200) for at least 48 hours;"
                    " with another service or priority 422 idempotency_mismatch",
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["service"],
                            "properties": {
                                "service": {"type": "string", "minLength": 1},
                                "priority": {"type": "boolean", "default": False},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _TICKET_ANSWER,
                "200": _TICKET_ANSWER,
                **_errors(
                    (400, "bad_request"),
                    (403, "not_a_kiosk: not a kiosk PC and no staff session / csrf_failed"),
                    (404, "unknown_service"),
                    (409, "service_closed / quota_reached"),
                    (413, "payload_too_large"),
                    (422, "idempotency_mismatch"),
                    (429, "rate_limited: this kiosk PC's ticket rate (Retry-After)"),
                ),
            },
        }
    },
    "/api/tickets/{token}": {
        "get": {
            "summary": "One ticket, for whoever holds its token",
            "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _TICKET_ANSWER, **_errors((404, "not_found"))},
        }
    },
    "/api/tickets/{token}/qr.svg": {
        "get": {
            "summary": "The ticket's QR code (its track_url) as SVG, for the kiosk screen",
            "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "SVG image", "content": {"image/svg+xml": {}}},
                **_errors((404, "not_found")),
            },
        }
    },
    "/api/queue": {
        "get": {
            "summary": "Waiting counts, current calls per counter, recent calls",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "services": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {"code": {"type": "string"}, "waiting": {"type": "integer"}},
                                },
                            },
                            "counters": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "name": {"type": "string"},
                                        "ticket": {**_ref("PublicTicket"), "nullable": True},
                                    },
                                },
                            },
                            "recent_calls": {"type": "array", "items": _ref("Call")},
                            "office": {
                                "type": "object",
                                "description": "open now by hours, holidays and "
                                "closed dates; closes_at when open, opens_at when closed",
                                "properties": {
                                    "open": {"type": "boolean"},
                                    "closes_at": {"type": "string", "nullable": True},
                                    "opens_at": {"type": "string", "nullable": True},
                                },
                            },
                        },
                    }
                )
            },
        }
    },
    "/api/events": {
        "get": {
            "summary": "Server-Sent Events: `call` (CALL, with id) on every call and recall, `queue` "
            "({services: [{code, waiting}], counters: [{id, name, ticket: PublicTicket|null}]}) when "
            "counts or counters change, `printer` when the printer state changes; resume with "
            "Last-Event-ID (ASCII digits, else 400). Beyond [server] max_streams open streams (in all or "
            "per client address): 503 too_many_streams with Retry-After; poll /api/queue meanwhile. "
            "[server] reserved_streams of them are kept for screens: ?screen=display (a waiting-room "
            "display) or ?screen=counter with a staff session; other clients share the rest",
            "parameters": [
                {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                for n in ("counters", "services", "last_event_id", "screen")
            ],
            "responses": {
                "200": {"description": "event stream", "content": {"text/event-stream": {}}},
                **_errors((400, "bad_request"), (503, "too_many_streams")),
            },
        }
    },
    "/api/announcements/{id}.wav": {
        "get": {
            "summary": "The spoken announcement of a call (espeak-ng, Indonesian)",
            "parameters": [_ID],
            "responses": {
                "200": {"description": "WAV audio", "content": {"audio/wav": {}}},
                **_errors((404, "not_found / speech_unavailable")),
            },
        }
    },
    "/api/speech": {
        "get": {
            "summary": "Voice guidance of the kiosk: the sentence keys it may ask for, the engine (espeak-ng or "
            "browser) and [kiosk] voice_volume",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "engine": {"type": "string", "enum": ["espeak-ng", "browser"]},
                            "volume": {"type": "number", "minimum": 0, "maximum": 1},
                            "keys": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                )
            },
        }
    },
    "/api/speech/{key}.wav": {
        "get": {
            "summary": "One sentence of the kiosk's spoken catalogue (kiosk/domain/guide.py) as WAV, never free text; "
            "header X-Spoken-Text holds the sentence (percent-encoded UTF-8). Without espeak-ng: 503 "
            "speech_unavailable whose error also carries `text`, for the browser's own voice",
            "parameters": [
                {
                    "name": "key",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "example": "service.REKAM",
                }
            ],
            "responses": {
                "200": {"description": "WAV audio", "content": {"audio/wav": {}}},
                **_errors((404, "unknown_sentence"), (503, "speech_unavailable")),
            },
        }
    },
    "/api/login": {
        "post": {
            "summary": "Staff login: session cookie and CSRF token",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["username", "password"],
                            "properties": {
                                "username": {"type": "string", "minLength": 1, "maxLength": 64},
                                "password": {"type": "string", "minLength": 1},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _json({"type": "object", "properties": {"csrf_token": {"type": "string"}}}),
                **_errors((400, "bad_request"), (401, "bad_credentials"), (429, "rate_limited")),
            },
        }
    },
    "/api/logout": {"post": {"summary": "End the staff session", "responses": {"200": {"description": "OK"}}}},
    "/api/session": {
        "get": {
            "summary": "The logged-in staff member and CSRF token",
            "responses": {"200": {"description": "OK"}, **_errors((401, "login_required"))},
        }
    },
    "/api/counters/{id}": {
        "get": {
            "summary": "A counter's current ticket, waiting list, printer state and served-today count;"
            " this session now works at this counter",
            "security": [{"session": []}],
            "parameters": [_ID],
            "responses": {"200": {"description": "OK"}, **_errors(*_STAFF_ERRORS, (404, "unknown_counter"))},
        }
    },
    "/api/counters/{id}/no-shows": {
        "get": {
            "summary": "Today's no-shows of this counter, latest first (to put one back in the queue)",
            "security": [{"session": []}],
            "parameters": [_ID],
            "responses": {
                "200": _json({"type": "object", "properties": {"tickets": {"type": "array", "items": _ref("Ticket")}}}),
                **_errors(*_STAFF_ERRORS, (404, "unknown_counter")),
            },
        }
    },
    "/api/counters/{id}/next": {
        "post": {
            "summary": "Call the next ticket for this counter (this session now works at this counter)",
            "security": [{"session": [], "csrf": []}],
            "parameters": [_ID],
            "responses": {
                "200": _TICKET_ANSWER,
                "204": {"description": "nobody waits"},
                **_errors(
                    *_STAFF_ERRORS,
                    (404, "unknown_counter"),
                    (409, "counter_busy: the counter still holds a called or serving ticket"),
                ),
            },
        }
    },
    "/api/tickets/{id}/recall": _staff_action("Call the ticket again (announce again)"),
    "/api/tickets/{id}/serve": _staff_action("Start serving the called ticket"),
    "/api/tickets/{id}/done": _staff_action("Finish serving (straight from called too)"),
    "/api/tickets/{id}/no-show": _staff_action("Mark a called ticket as not present"),
    "/api/tickets/{id}/requeue": _staff_action("Put a no-show back in the queue"),
    "/api/tickets/{id}/cancel": _staff_action("Cancel a waiting ticket"),
    "/api/tickets/{id}/transfer": _staff_action(
        "Move the ticket to another service; it keeps its number",
        {"type": "object", "required": ["service"], "properties": {"service": {"type": "string", "minLength": 1}}},
    ),
    "/api/tickets/{id}/reprint": _staff_action("Queue the ticket for printing again"),
    "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
    "/healthz": {
        "get": {
            "summary": "Database and printer health",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "status": {"type": "string"},
                            "db": {"type": "string"},
                            "printer": {"type": "string", "enum": ["online", "offline", "paper_out", "unknown"]},
                            "print_failure": {
                                "description": "Today's latest ticket that could not be printed at "
                                "all (e.g. its QR code does not fit the paper)",
                                "type": "object",
                                "nullable": True,
                                "properties": {"number": {"type": "string"}, "reason": {"type": "string"}},
                            },
                        },
                    }
                )
            },
        }
    },
}


# KTP-el status (docs/contract.md, "KTP-el status"): the resident's lookup and staff edits of a record.
SCHEMAS["KtpStatus"] = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "SIAK status code", "example": "READY_FOR_PICKUP"},
        "label": {"type": "string"},
        "message": {"type": "string"},
        "next_step": {"type": "string", "nullable": True},
        "next_service": {"type": "string", "nullable": True, "description": "service code to take a number for"},
        "name_masked": {"type": "string", "example": "B*** S******"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
SCHEMAS["Application"] = {
    "type": "object",
    "description": "A record as staff see it. The NIK is the one the request named; the nomor KK and the NIK are "
    "stored only as keyed hashes and no birth date is kept, so neither is ever answered",
    "properties": {
        "nik": {"type": "string"},
        "name": {"type": "string"},
        "status": {"type": "string"},
        "note": {"type": "string"},
        "updated_at": {"type": "string", "format": "date-time"},
        "updated_by": {"type": "string"},
    },
}
PATHS.update(
    {
        "/api/status-lookups": {
            "post": {
                "summary": "A resident's KTP-el status by NIK and nomor KK. Unknown NIK and wrong KK number get the same "
                "404; kiosk PCs ([kiosk] addresses) and staff sessions only; rate-limited per client address "
                "and per NIK ([status] config); each lookup is audited with a keyed hash of the NIK, never the NIK",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["nik", "kk"],
                                "properties": {
                                    "nik": {"type": "string", "pattern": "^[0-9]{16}$"},
                                    "kk": {"type": "string", "pattern": "^[0-9]{16}$"},
                                    "lang": {"type": "string", "enum": ["id", "en"], "default": "id"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object", "properties": {"status": _ref("KtpStatus")}}),
                    **_errors(
                        (400, "invalid_nik / invalid_kk / bad_request"),
                        (403, "not_a_kiosk: not a kiosk PC and no staff session / csrf_failed"),
                        (404, "not_found"),
                        (429, "rate_limited (Retry-After header)"),
                    ),
                },
            }
        },
        "/api/applications/{nik}": {
            "put": {
                "summary": "Create or change a resident's KTP-el status record (staff); history records real changes",
                "security": [{"session": [], "csrf": []}],
                "parameters": [
                    {
                        "name": "nik",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9][0-9 ]*$"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["kk", "name", "birth_date", "status"],
                                "properties": {
                                    "kk": {"type": "string"},
                                    "name": {"type": "string", "maxLength": 100},
                                    "birth_date": {
                                        "type": "string",
                                        "description": "YYYY-MM-DD or DD-MM-YYYY; agrees "
                                        "with the NIK (women: day + 40)",
                                    },
                                    "status": {"type": "string", "description": "SIAK status code"},
                                    "note": {"type": "string", "maxLength": 500},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "application": _ref("Application"),
                                "change": {"type": "string", "enum": ["updated", "unchanged"]},
                            },
                        }
                    ),
                    "201": _json(
                        {
                            "type": "object",
                            "properties": {
                                "application": _ref("Application"),
                                "change": {"type": "string", "enum": ["created"]},
                            },
                        }
                    ),
                    **_errors(
                        *_STAFF_ERRORS,
                        (
                            400,
                            "invalid_nik / invalid_kk / invalid_name / invalid_birth_date / "
                            "unknown_status / invalid_note / bad_request",
                        ),
                        (404, "not_found: the address holds no digits, so it names no NIK"),
                    ),
                },
            }
        },
    }
)


# ---------------------------------------------------------------- reports (admin)

_FIGURE = {"type": "number", "nullable": True, "description": "minutes, one decimal; null without data"}
_REPORT_DAY = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "issued": {"type": "integer"},
        "served": {"type": "integer"},
        "no_show": {"type": "integer"},
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "issued": {"type": "integer"},
                    "served": {"type": "integer"},
                    "no_show": {"type": "integer"},
                    "avg_wait_minutes": _FIGURE,
                    "median_wait_minutes": _FIGURE,
                    "p90_wait_minutes": _FIGURE,
                    "avg_service_minutes": _FIGURE,
                },
            },
        },
        "hourly": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "hour": {"type": "integer"},
                    "issued": {"type": "integer"},
                    "served": {"type": "integer"},
                },
            },
        },
        "counters": {"type": "array", "items": {"type": "object", "description": "per loket (counter id, name)"}},
        "staff": {"type": "array", "items": {"type": "object", "description": "per staff member (staff_id, username)"}},
    },
    "description": "wait = issued to first call; service = serve (or the call, when done straight from called) "
    "to done; no-show = tickets not put back in the queue after their no-show",
}
_ADMIN_REPORT_ERRORS = _errors(
    (400, "bad_request: not a YYYY-MM-DD date, from after to, or over 366 days"),
    (401, "login_required"),
    (403, "forbidden"),
)
_DATE = [{"name": "date", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}}]
_PERIOD = [
    {"name": name, "in": "query", "required": True, "schema": {"type": "string", "format": "date"}}
    for name in ("from", "to")
]
_RANGE = {
    "type": "object",
    "properties": {
        "office": {"type": "string"},
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "days": {"type": "array", "items": _REPORT_DAY},
        "totals": {**_REPORT_DAY, "description": "the whole period (medians and p90 over every ticket, not per day)"},
    },
}
_CSV = {
    "description": "CSV: date (or 'total'), then the service columns of the JSON; with dialect=excel-id the "
    "form Excel set to Indonesian opens as columns: UTF-8 BOM, ';', decimal comma, DD-MM-YYYY, "
    "Indonesian headings, 'Jumlah' for the totals",
    "content": {"text/csv": {}},
}
_DIALECT = [{"name": "dialect", "in": "query", "required": False, "schema": {"type": "string", "enum": ["excel-id"]}}]
_XLSX = {
    "description": "Excel workbook: office and period at the top of every sheet",
    "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
}


def _report(summary: str, parameters: list, answer: dict) -> dict:
    return {
        "get": {
            "summary": summary,
            "security": [{"session": []}],
            "parameters": parameters,
            "responses": {"200": answer, **_ADMIN_REPORT_ERRORS},
        }
    }


PATHS.update(
    {
        "/api/reports/daily": _report(
            "One day's figures per service, hour, loket and staff member",
            _DATE,
            _json({**_REPORT_DAY, "properties": {**_REPORT_DAY["properties"], "office": {"type": "string"}}}),
        ),
        "/api/reports/daily.csv": _report("One day's service figures as CSV", _DATE + _DIALECT, _CSV),
        "/api/reports/daily.xlsx": _report("One day's figures as Excel", _DATE, _XLSX),
        "/api/reports/range": _report(
            "Every day of a period (at most 366 days) plus its totals", _PERIOD, _json(_RANGE)
        ),
        "/api/reports/range.csv": _report(
            "A period's service figures per day, then the totals, as CSV", _PERIOD + _DIALECT, _CSV
        ),
        "/api/reports/range.xlsx": _report("A period's figures as Excel", _PERIOD, _XLSX),
    }
)


# ---------------------------------------------------------------- today's service overrides (admin)

SCHEMAS["ServiceToday"] = {
    "type": "object",
    "description": "A service as GET /api/services shows it, with today's effective quota and override",
    "properties": {
        **SCHEMAS["Service"]["properties"],
        "daily_quota": {"type": "integer", "nullable": True, "description": "today's quota (null: none)"},
        "issued_today": {"type": "integer"},
        "override": {
            "type": "object",
            "nullable": True,
            "properties": {
                "day": {"type": "string", "format": "date"},
                "open": {"type": "boolean", "nullable": True},
                "daily_quota": {"type": "integer", "nullable": True},
                "updated_at": {"type": "string", "format": "date-time"},
                "updated_by": {"type": "string"},
            },
        },
    },
}
PATHS["/api/services/{code}"] = {
    "patch": {
        "summary": "Override a service for today only (reverts when the office day ends): `open` false closes it, "
        "true lifts the closure (opening hours and holidays still apply); `daily_quota` sets today's "
        "quota, null goes back to the configured one. Every change is logged with who and when",
        "security": [{"session": [], "csrf": []}],
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": False,
                        "properties": {
                            "open": {"type": "boolean"},
                            "daily_quota": {"type": "integer", "minimum": 0, "maximum": 100000, "nullable": True},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": _json(_ref("ServiceToday")),
            **_errors(
                (400, "bad_request"),
                (401, "login_required"),
                (403, "csrf_failed / forbidden"),
                (404, "unknown_service"),
            ),
        },
    }
}


# ---------------------------------------------------------------- admin page: today and staff accounts

SCHEMAS["StaffAccount"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "username": {"type": "string"},
        "role": {"type": "string", "enum": ["counter", "admin"]},
        "active": {"type": "boolean"},
        "sessions": {"type": "integer", "description": "open sessions"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
_ADMIN_ERRORS = ((401, "login_required"), (403, "csrf_failed / forbidden"))
_STAFF_CHANGE = _json(
    {"type": "object", "properties": {"staff": _ref("StaffAccount"), "ended_sessions": {"type": "integer"}}}
)


def _staff_change(
    summary: str,
    body: dict | None = None,
    refused: str = "own_account: not one's own",
    last_admin: bool = False,
    busy: bool = False,
) -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": [{"session": [], "csrf": []}],
        "parameters": [_ID],
        "responses": {"200": _STAFF_CHANGE, **_errors(*_ADMIN_ERRORS, (400, refused), (404, "unknown_staff"))},
    }
    if last_admin:
        operation["responses"].update(_errors((409, "last_admin: at least one active admin always remains")))
    if busy:
        operation["responses"].update(_errors((429, "rate_limited: every password slot busy (Retry-After)")))
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        operation["responses"].update(_errors((400, "bad_request")))
    return {"post": operation}


PATHS.update(
    {
        "/api/admin/today": {
            "get": {
                "summary": "Today at a glance (admin): per service issued, waiting, served, no-show and whether open; "
                "each loket's current ticket and staff member; printer state and pending print jobs",
                "security": [{"session": []}],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "date": {"type": "string", "format": "date"},
                                "services": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "code": {"type": "string"},
                                            "name": {"type": "string"},
                                            "open": {"type": "boolean"},
                                            "message": {"type": "string", "nullable": True},
                                            "issued": {"type": "integer"},
                                            "waiting": {"type": "integer"},
                                            "served": {"type": "integer"},
                                            "no_show": {"type": "integer"},
                                            "daily_quota": {
                                                "type": "integer",
                                                "nullable": True,
                                                "description": "today's quota (null: none)",
                                            },
                                            "override": {
                                                **SCHEMAS["ServiceToday"]["properties"]["override"],
                                                "description": "today's change by an admin (PATCH /api/services/{code}), or null",
                                            },
                                        },
                                    },
                                },
                                "counters": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "id": {"type": "integer"},
                                            "name": {"type": "string"},
                                            "ticket": {
                                                "type": "object",
                                                "nullable": True,
                                                "properties": {
                                                    "number": {"type": "string"},
                                                    "status": {"type": "string", "enum": ["called", "serving"]},
                                                },
                                            },
                                            "staff": {
                                                "type": "string",
                                                "nullable": True,
                                                "description": "username of who called it",
                                            },
                                        },
                                    },
                                },
                                "printer": {"type": "string", "enum": ["online", "offline", "paper_out", "unknown"]},
                                "speech": {
                                    "type": "string",
                                    "enum": ["espeak-ng", "browser"],
                                    "description": "who speaks the calls: the server's voice, or the display's browser",
                                },
                                "pending_print_jobs": {"type": "integer"},
                            },
                        }
                    ),
                    **_errors(*_ADMIN_ERRORS),
                },
            }
        },
        "/api/admin/staff": {
            "get": {
                "summary": "Every staff account (disabled ones too) and the id of the admin asking",
                "security": [{"session": []}],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "staff": {"type": "array", "items": _ref("StaffAccount")},
                                "me": {"type": "integer"},
                            },
                        }
                    ),
                    **_errors(*_ADMIN_ERRORS),
                },
            },
            "post": {
                "summary": "Create a staff account (the password policy of `kiosk user add`)",
                "security": [{"session": [], "csrf": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["username", "role", "password"],
                                "properties": {
                                    "username": {"type": "string", "pattern": "^[A-Za-z0-9._-]{2,40}$"},
                                    "role": {"type": "string", "enum": ["counter", "admin"]},
                                    "password": {"type": "string", "minLength": 10, "maxLength": 128},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json({"type": "object", "properties": {"staff": _ref("StaffAccount")}}),
                    **_errors(
                        *_ADMIN_ERRORS,
                        (400, "bad_request / weak_password / username_taken"),
                        (429, "rate_limited: every password slot busy (Retry-After)"),
                    ),
                },
            },
        },
        "/api/admin/staff/{id}/disable": _staff_change(
            "Disable an account: no more logins, its sessions end", last_admin=True
        ),
        "/api/admin/staff/{id}/enable": _staff_change("Let a disabled account log in again", refused="bad_request"),
        "/api/admin/staff/{id}/password": _staff_change(
            "Set a new password (the policy of `kiosk user passwd`) and end the account's sessions",
            {"type": "object", "required": ["password"], "properties": {"password": {"type": "string"}}},
            refused="bad_request / weak_password",
            busy=True,
        ),
        "/api/admin/staff/{id}/role": _staff_change(
            "Change an account's role and end its sessions",
            {
                "type": "object",
                "required": ["role"],
                "properties": {"role": {"type": "string", "enum": ["counter", "admin"]}},
            },
            refused="bad_request / own_account: not one's own",
            last_admin=True,
        ),
        "/api/admin/staff/{id}/end-sessions": _staff_change("End every open session of an account"),
        "/api/admin/staff-changes": {
            "get": {
                "summary": "Who created, disabled, enabled or changed the role of which account, newest first (the latest "
                "200; the record is append-only)",
                "security": [{"session": []}],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "changes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "at": {"type": "string", "format": "date-time"},
                                            "account": {"type": "string"},
                                            "change": {
                                                "type": "string",
                                                "enum": ["created", "disabled", "enabled", "role"],
                                            },
                                            "detail": {
                                                "type": "string",
                                                "nullable": True,
                                                "description": "the role given (created, role)",
                                            },
                                            "by": {
                                                "type": "string",
                                                "description": 'the admin\'s username, or "command line"',
                                            },
                                        },
                                    },
                                }
                            },
                        }
                    ),
                    **_errors(*_ADMIN_ERRORS),
                },
            }
        },
    }
)


# The daily automatic backup's outcome ([backup] in the config; kiosk backup / kiosk restore on the CLI).
PATHS["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["backup"] = {
    "type": "object",
    "description": "The daily automatic backup: off ([backup] dir not set), none (no copy yet), ok, or failed "
    "(its error; retried every 15 minutes)",
    "properties": {
        "state": {"type": "string", "enum": ["off", "none", "ok", "failed"]},
        "last_at": {"type": "string", "format": "date-time", "nullable": True},
        "file": {"type": "string", "nullable": True},
        "error": {"type": "string", "nullable": True},
    },
}

# Store-and-forward to the regency ([regency] url; kiosk/office/regency.py): null while off.
PATHS["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["regency"] = {
    "type": "object",
    "nullable": True,
    "description": "Events waiting for the regency: how many, the last batch the regency took, and the age in "
    "seconds of the oldest one waiting; error: no_key (no <database>.regency-key) or the last "
    "send's failure; quarantined: events the regency refused as bad data (400/413/422), set aside "
    "so the rest go on, never sent again",
    "properties": {
        "pending": {"type": "integer", "minimum": 0},
        "quarantined": {"type": "integer", "minimum": 0},
        "last_sent_at": {"type": "string", "format": "date-time", "nullable": True},
        "lag_seconds": {"type": "integer", "minimum": 0},
        "error": {"type": "string", "nullable": True},
    },
}

PATHS["/api/admin/today"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"][
    "regency"
] = PATHS["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["regency"]
PATHS["/api/admin/today"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"][
    "backup"
] = PATHS["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["backup"]

# ---------------------------------------------------------------- extra closed dates (admin)

SCHEMAS["ClosedDate"] = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "reason": {"type": "string", "maxLength": 100},
        "created_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": "string"},
    },
}
SCHEMAS["Service"]["properties"].update(
    {
        "opens_at": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "when a closed service next opens (hours, holidays, extra closed dates)",
        },
        "reopens": {"type": "string", "nullable": True, "example": "Buka kembali Senin, 08.00."},
        "requirements": {
            "type": "array",
            "items": {"type": "string"},
            "description": "what to bring ([[services]] requirements), asked before a number",
        },
        "requirements_en": {"type": "array", "items": {"type": "string"}},
        "later_day": {"type": "boolean", "description": "the service takes bookings for a later day (booking_quota)"},
        "one_per_nik": {"type": "boolean", "description": "one number per NIK per day: the kiosk asks the NIK"},
    }
)
_CLOSED_DAY = {"name": "day", "in": "path", "required": True, "schema": {"type": "string", "format": "date"}}
PATHS["/api/admin/closed-dates"] = {
    "get": {
        "summary": "Extra closed dates (cuti bersama, local events) from `from` (default today), and the national "
        "holidays of the 366 days from then when the office observes them",
        "security": [{"session": []}],
        "parameters": [
            {"name": "from", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}}
        ],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "closed_dates": {"type": "array", "items": _ref("ClosedDate")},
                        "holidays": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "date": {"type": "string", "format": "date"},
                                    "name": {"type": "string"},
                                },
                            },
                        },
                    },
                }
            ),
            **_errors((400, "bad_request"), (401, "login_required"), (403, "forbidden")),
        },
    }
}
PATHS["/api/admin/closed-dates/{day}"] = {
    "put": {
        "summary": "Close the whole office on a date (today or later) for a reason; the kiosk says why and "
        "when it opens again",
        "security": [{"session": [], "csrf": []}],
        "parameters": [_CLOSED_DAY],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["reason"],
                        "additionalProperties": False,
                        "properties": {"reason": {"type": "string", "maxLength": 100}},
                    }
                }
            },
        },
        "responses": {
            "201": _json({"type": "object", "properties": {"closed_date": _ref("ClosedDate")}}),
            "200": _json({"type": "object", "properties": {"closed_date": _ref("ClosedDate")}}),
            **_errors((400, "bad_request"), (401, "login_required"), (403, "csrf_failed / forbidden")),
        },
    },
    "delete": {
        "summary": "Open the office again on an extra closed date",
        "security": [{"session": [], "csrf": []}],
        "parameters": [_CLOSED_DAY],
        "responses": {
            "200": {"description": "OK"},
            **_errors(
                (400, "bad_request"), (401, "login_required"), (403, "csrf_failed / forbidden"), (404, "not_found")
            ),
        },
    },
}

# ---------------------------------------------------------------- satisfaction survey (SKM, PermenPANRB 14/2017)

_SKM_CODES = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana"]
SCHEMAS["SurveyWho"] = {
    "type": "object",
    "description": '`token` (phone page) or `number` (kiosk: a number served today, e.g. "A-008"), not both',
    "properties": {
        "token": {"type": "string"},
        "number": {"type": "string", "pattern": NUMBER_PATTERN, "example": "A-008"},
    },
    "oneOf": [
        {"required": ["token"], "not": {"required": ["number"]}},
        {"required": ["number"], "not": {"required": ["token"]}},
    ],
}
SCHEMAS["SurveyResponse"] = {
    "allOf": [
        _ref("SurveyWho"),
        {
            "type": "object",
            "required": ["answers"],
            "properties": {
                "answers": {
                    "type": "array",
                    "minItems": 9,
                    "maxItems": 9,
                    "items": {"type": "integer", "minimum": 1, "maximum": 4},
                    "description": "one score per element in the regulation's order: " + ", ".join(_SKM_CODES),
                },
                "profile": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "optional, every part too",
                    "properties": {
                        "gender": {"type": "string", "enum": ["L", "P"], "nullable": True},
                        "age": {
                            "type": "string",
                            "enum": ["17-25", "26-35", "36-45", "46-55", "56+"],
                            "nullable": True,
                        },
                        "education": {
                            "type": "string",
                            "enum": ["sd", "smp", "sma", "diploma", "s1", "s2"],
                            "nullable": True,
                        },
                        "job": {
                            "type": "string",
                            "nullable": True,
                            "enum": ["pns", "tni", "polri", "swasta", "wirausaha", "pelajar", "lainnya"],
                        },
                    },
                },
                "suggestion": {"type": "string", "maxLength": 500, "nullable": True},
            },
        },
    ]
}
_SURVEY_ERRORS = _errors(
    (400, "bad_request"),
    (403, "not_a_kiosk: by number only from the kiosk PCs ([kiosk] addresses)"),
    (404, "not_found (unknown token, or no such number today) / survey_disabled"),
    (409, "already_answered / not_served (not done yet, or not today's ticket)"),
    (429, "rate_limited: too many tries by number from one kiosk PC (Retry-After)"),
)
PATHS["/api/surveys"] = {
    "post": {
        "summary": "Answer the satisfaction survey for a ticket served (done) today; one response per ticket. "
        "The response is stored apart from the ticket: no report shows which ticket answered what",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("SurveyResponse")}}},
        "responses": {
            "201": _json(
                {
                    "type": "object",
                    "properties": {
                        "survey": {
                            "type": "object",
                            "properties": {"number": {"type": "string"}, "answered": {"type": "boolean"}},
                        }
                    },
                },
                "Stored",
            ),
            **_SURVEY_ERRORS,
        },
    }
}
PATHS["/api/surveys/check"] = {
    "post": {
        "summary": "Tell whether a ticket may answer the survey now (before its questions are shown)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("SurveyWho")}}},
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "ticket": {
                            "type": "object",
                            "properties": {"number": {"type": "string"}, "service": {"type": "string"}},
                        }
                    },
                }
            ),
            **_SURVEY_ERRORS,
        },
    }
}
_SKM_QUERY = [
    *_PERIOD,
    {
        "name": "service",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "a service code; empty or absent: every service",
    },
]
_SKM_REPORT = {
    "type": "object",
    "properties": {
        "respondents": {"type": "integer"},
        "ikm": {
            "type": "number",
            "nullable": True,
            "description": "weighted mean (equal weights 1/9) x 25, 2 decimals",
        },
        "grade": {"type": "string", "enum": ["A", "B", "C", "D"], "nullable": True},
        "elements": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "element": {"type": "string", "enum": _SKM_CODES},
                    "mean": {"type": "number", "nullable": True},
                    "grade": {"type": "string", "nullable": True},
                    "name": {"type": "string"},
                    "grade_label": {"type": "string", "nullable": True},
                },
            },
        },
        "grade_label": {"type": "string", "nullable": True},
        "population": {"type": "integer", "description": "tickets served (done) in the period"},
        "sample_size": {"type": "integer", "description": "Krejcie-Morgan sample size for the population"},
        "needs_improvement": {
            "type": "array",
            "items": {"type": "object"},
            "description": "elements, lowest mean first",
        },
        "profile": {"type": "array", "items": {"type": "object"}},
        "channels": {"type": "object", "properties": {"phone": {"type": "integer"}, "kiosk": {"type": "integer"}}},
        "suggestions": {
            "type": "array",
            "description": "identical ones counted together; most frequent first, then by text",
            "items": {"type": "object", "properties": {"text": {"type": "string"}, "count": {"type": "integer"}}},
        },
        "office": {"type": "string"},
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "service": {"type": "string", "nullable": True},
        "service_name": {"type": "string"},
    },
}
PATHS["/api/reports/skm"] = {
    "get": {
        "summary": "The satisfaction index (IKM) of a period and service per PermenPANRB 14/2017",
        "security": [{"session": []}],
        "parameters": _SKM_QUERY,
        "responses": {"200": _json(_SKM_REPORT), **_ADMIN_REPORT_ERRORS, **_errors((404, "unknown_service"))},
    }
}
PATHS["/api/reports/skm.xlsx"] = {
    "get": {
        "summary": "The SKM report of a period as Excel (IKM and elements, profile, suggestions)",
        "security": [{"session": []}],
        "parameters": _SKM_QUERY,
        "responses": {"200": _XLSX, **_ADMIN_REPORT_ERRORS, **_errors((404, "unknown_service"))},
    }
}


# ---------------------------------------------------------------- KTP-el status work of the staff (/counter)

SCHEMAS["ApplicationChange"] = {
    "type": "object",
    "description": "One entry of a record's append-only history: who changed it, when, and the record after",
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "by": {"type": "string"},
        "source": {"type": "string", "enum": ["import", "staff", "demo"]},
        "status": {"type": "string"},
        "note": {"type": "string"},
        "details_changed": {
            "type": "boolean",
            "description": "the nomor KK or the name differs from the change before",
        },
    },
}
_RECORD_ANSWER = {
    "type": "object",
    "properties": {
        "application": _ref("Application"),
        "history": {"type": "array", "items": _ref("ApplicationChange"), "description": "oldest first"},
    },
}
_NIK_IN_BODY = {
    "type": "string",
    "pattern": "^[0-9 ]{16,19}$",
    "description": "16 digits (spaces between groups are ignored); in the body, never in a URL",
}


_STAFF_SEARCH_LIMIT = (
    429,
    "rate_limited: [status] staff_searches_per_hour of this staff user used up "
    "(searches, status changes and batches; Retry-After)",
)


def _staff_post(summary: str, body: dict, answer: dict, errors: tuple, admin: bool = False) -> dict:
    refused = (403, "csrf_failed / forbidden") if admin else (403, "csrf_failed")
    return {
        "post": {
            "summary": summary,
            "security": [{"session": [], "csrf": []}],
            "requestBody": {"required": True, "content": body},
            "responses": {"200": _json(answer), **_errors((401, "login_required"), refused, *errors)},
        }
    }


PATHS.update(
    {
        "/api/applications/search": _staff_post(
            "Find a KTP-el status record by NIK (staff), with its history",
            {
                "application/json": {
                    "schema": {"type": "object", "required": ["nik"], "properties": {"nik": _NIK_IN_BODY}}
                }
            },
            _RECORD_ANSWER,
            ((400, "invalid_nik / bad_request"), (404, "not_found: no record for this NIK"), _STAFF_SEARCH_LIMIT),
        ),
        "/api/applications/status": _staff_post(
            "Change the status of an existing record, with a note that replaces the record's note (staff); the "
            "history gets a row only when something changed",
            {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["nik", "status"],
                        "properties": {
                            "nik": _NIK_IN_BODY,
                            "status": {"type": "string", "description": "SIAK status code"},
                            "note": {"type": "string", "maxLength": 500},
                        },
                    }
                }
            },
            {
                **_RECORD_ANSWER,
                "properties": {
                    **_RECORD_ANSWER["properties"],
                    "change": {"type": "string", "enum": ["updated", "unchanged"]},
                },
            },
            (
                (400, "invalid_nik / unknown_status / invalid_note / bad_request"),
                (404, "not_found: no record for this NIK"),
                _STAFF_SEARCH_LIMIT,
            ),
        ),
        "/api/applications/ready": _staff_post(
            "A batch of cards arrived: set every listed NIK to READY_FOR_PICKUP with a note (replacing the record's "
            "note), in one transaction. Records already ready are left as they are; records whose status cannot lead "
            "to a printed card (not recorded, being processed, failed, duplicate, already handed over) are refused as "
            "not_ready_state with current_status; each entry is reported",
            {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["niks"],
                        "properties": {
                            "niks": {
                                "description": "the pasted text (one per line; commas, semicolons or spaces also separate) "
                                "or a list of NIKs; at most 2000",
                                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                            },
                            "note": {"type": "string", "maxLength": 500},
                        },
                    }
                }
            },
            {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["READY_FOR_PICKUP"]},
                    "counts": {
                        "type": "object",
                        "properties": {
                            key: {"type": "integer"}
                            for key in (
                                "updated",
                                "already_ready",
                                "not_ready_state",
                                "unknown",
                                "invalid",
                                "duplicate",
                            )
                        },
                    },
                    "lines": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "no": {"type": "integer", "description": "position in the list, from 1"},
                                "nik": {"type": "string", "description": "the entry as read (digits only when valid)"},
                                "outcome": {
                                    "type": "string",
                                    "enum": [
                                        "updated",
                                        "already_ready",
                                        "not_ready_state",
                                        "unknown",
                                        "invalid",
                                        "duplicate",
                                    ],
                                },
                                "current_status": {
                                    "type": "string",
                                    "description": "not_ready_state only: the record's status",
                                },
                                "message": {"type": "string", "description": "Indonesian, for the staff screen"},
                            },
                        },
                    },
                },
            },
            ((400, "bad_request / empty_batch / batch_too_large / invalid_note"), _STAFF_SEARCH_LIMIT),
        ),
        "/api/applications/handover": _staff_post(
            "Hand a ready card over at a Pengambilan ticket being served at this counter: the record of the NIK "
            "(READY_FOR_PICKUP) becomes CARD_ISSUED with a note naming the ticket",
            {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["nik", "ticket"],
                        "properties": {
                            "nik": _NIK_IN_BODY,
                            "ticket": {"type": "integer", "minimum": 1, "description": "ticket id"},
                        },
                    }
                }
            },
            {
                **_RECORD_ANSWER,
                "properties": {
                    **_RECORD_ANSWER["properties"],
                    "change": {"type": "string", "enum": ["updated"]},
                    "ticket": {"type": "string", "description": "the ticket's number"},
                },
            },
            (
                (400, "invalid_nik / bad_request"),
                (404, "not_found: no such ticket or no record for this NIK"),
                (
                    409,
                    "bad_transition: the ticket is not called or served at this counter / not_pickup_ticket / "
                    "not_ready_state: the record is not READY_FOR_PICKUP",
                ),
            ),
        ),
        "/api/admin/status-import": _staff_post(
            "Import a SIAK status CSV (admin; the importer of `kiosk import-status`): bad rows are reported by row "
            "number (the first 200; all are counted) and never stored; good rows are applied all or nothing without "
            "holding up issuing; the same file again changes nothing",
            {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": "CSV, UTF-8, comma or semicolon; at most STATUS_IMPORT_MAX_BYTES (16 MB)",
                            }
                        },
                    }
                }
            },
            {
                "type": "object",
                "properties": {
                    **{
                        key: {"type": "integer"}
                        for key in ("accepted", "created", "updated", "unchanged", "rejected_count")
                    },
                    "rejected": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "row": {"type": "integer", "description": "line of the file, header = 1"},
                                "reason": {"type": "string", "description": "English, as the command prints it"},
                                "message": {"type": "string", "description": "Indonesian, for the staff screen"},
                            },
                        },
                    },
                },
            },
            (
                (
                    400,
                    "no_file / bad_import (no header row, a missing column, not UTF-8 CSV) / not_siak_file (nearly "
                    "every row of the first thousands rejected, or a line over 64 KiB)",
                ),
                (409, "import_running: another status import is under way"),
                (413, "payload_too_large"),
            ),
            admin=True,
        ),
    }
)


# Staff routes that need no session to be asked (logging in): answered only within [server] staff_addresses too.
_STAFF_NETWORK_PATHS = {"/api/login", "/api/logout", "/api/session"}


def _add_error(operation: dict, status: int, code: str) -> None:
    responses = operation.setdefault("responses", {})
    known = responses.get(str(status))
    if known is None:
        responses[str(status)] = _json(_ref("Error"), code)
    elif code not in known["description"]:
        responses[str(status)] = {**known, "description": f"{known['description']} / {code}"}


def _network_errors(paths: dict) -> dict:
    """Every operation may answer 400 bad_host (a Host name this server does not go by); staff operations
    answer 403 staff_network_only outside ``[server] staff_addresses``."""
    import copy

    paths = copy.deepcopy(paths)
    for path, operations in paths.items():
        for operation in operations.values():
            _add_error(operation, 400, "bad_host")
            if "security" in operation or path in _STAFF_NETWORK_PATHS:
                _add_error(operation, 403, "staff_network_only")
    return paths


def document() -> dict:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Kiosk Antrean KTP-el", "version": __version__},
        "paths": _network_errors(PATHS),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "kiosk_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
    }


@bp.get("/api/openapi.json")
def openapi():
    """Serve the OpenAPI document."""
    return jsonify(document())


# ---------------------------------------------------------------- settings from a screen

_HOURS_TEXT = {"type": "string", "example": "08:00-15:00", "description": '"HH:MM-HH:MM", "" = closed'}
_WEEK_HOURS = {
    "type": "object",
    "properties": {day: _HOURS_TEXT for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}
SCHEMAS["ScreenSettings"] = {
    "type": "object",
    "description": "The configuration file's tables with its keys and meanings (README, config/kiosk.toml). "
    "In a PATCH every part is optional: tables merge key by key, null = no value (the built-in "
    "default), the services and counters arrays replace the whole list.",
    "properties": {
        "office": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "timezone": {"type": "string"},
                "public_url": {"type": "string"},
                "observe_national_holidays": {"type": "boolean"},
                "running_text": {"type": "string"},
                "dukcapil_address": {"type": "string"},
                "hours": _WEEK_HOURS,
            },
        },
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "name_en": {"type": "string", "nullable": True},
                    "prefix": {"type": "string"},
                    "daily_quota": {"type": "integer", "nullable": True},
                    "hours": {**_WEEK_HOURS, "nullable": True},
                },
            },
        },
        "counters": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "services": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "printer": {"type": "object", "description": "[printer]; `path` stays the file's"},
        "kiosk": {"type": "object", "description": "[kiosk]"},
    },
}
_SETTINGS_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "invalid_setting"},
                "message": {
                    "type": "string",
                    "description": '"Pengaturan ditolak: " and the line the configuration file gets for the same value',
                },
                "key": {"type": "string", "nullable": True, "example": "office.hours.mon"},
            },
        }
    },
}
PATHS["/api/admin/settings"] = {
    "get": {
        "summary": "The office's settings that the admin screen changes: office, services, counters, printer, kiosk",
        "security": [{"session": []}],
        "responses": {"200": _json(_ref("ScreenSettings")), **_errors(*_ADMIN_ERRORS)},
    },
    "patch": {
        "summary": "Change settings live (kiosk, display and counter within 2 s), kept in the database over "
        "the file's values with who and when; refused exactly as the file would be",
        "security": [{"session": [], "csrf": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ScreenSettings")}}},
        "responses": {
            "200": _json(_ref("ScreenSettings")),
            "400": _json(_SETTINGS_ERROR, "invalid_setting (the key named) / bad_request"),
            **_errors(
                *_ADMIN_ERRORS,
                (
                    409,
                    "service_has_tickets: a removed service has tickets today / "
                    "counter_busy: a removed loket holds a ticket",
                ),
            ),
        },
    },
}
PATHS["/api/admin/settings/changes"] = {
    "get": {
        "summary": "Who changed the settings when and what they sent, newest first (the latest 50)",
        "security": [{"session": []}],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "version": {"type": "integer"},
                        "changes": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "changed_at": {"type": "string", "format": "date-time"},
                                    "changed_by": {"type": "string"},
                                    "patch": {"type": "object"},
                                },
                            },
                        },
                    },
                }
            ),
            **_errors(*_ADMIN_ERRORS),
        },
    }
}
PATHS["/api/settings/version"] = {
    "get": {
        "summary": "The settings change in force (0 = the file's values); open pages reload when it moves",
        "responses": {
            "200": _json({"type": "object", "required": ["version"], "properties": {"version": {"type": "integer"}}})
        },
    }
}

# ---------------------------------------------------------------- backups screen

_BACKUP_COPY = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "example": "kiosk-2026-11-28-020000.db"},
        "size": {"type": "integer"},
        "taken_at": {"type": "string", "format": "date-time"},
        "outcome": {"type": "string", "enum": ["ok"]},
        "restore": {
            "type": "string",
            "description": "the `kiosk restore` command for this copy (run with the server stopped)",
        },
    },
}
_BACKUP_OUTCOME = {
    "type": "object",
    "properties": {
        "state": {"type": "string", "enum": ["ok", "failed", "none", "off"]},
        "last_at": {"type": "string", "nullable": True},
        "file": {"type": "string", "nullable": True},
        "error": {"type": "string", "nullable": True},
    },
}
PATHS["/api/admin/backups"] = {
    "get": {
        "summary": "The automatic backup's schedule ([backup] in the file), its latest outcome and every copy, "
        "newest first, with its size and restore command",
        "security": [{"session": []}],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "schedule": {
                            "type": "object",
                            "properties": {
                                "enabled": {"type": "boolean"},
                                "dir": {"type": "string"},
                                "keep": {"type": "integer"},
                                "time": {"type": "string"},
                            },
                        },
                        "latest": _BACKUP_OUTCOME,
                        "backups": {"type": "array", "items": _BACKUP_COPY},
                        "database": {"type": "string"},
                    },
                }
            ),
            **_errors(*_ADMIN_ERRORS),
        },
    },
    "post": {
        "summary": "Back up now into the backup folder (kept and pruned like the daily copies)",
        "security": [{"session": [], "csrf": []}],
        "responses": {
            "201": _json(
                {"type": "object", "properties": {"backup": _BACKUP_COPY, "latest": _BACKUP_OUTCOME}}, "Created"
            ),
            **_errors(
                *_ADMIN_ERRORS,
                (409, "backup_off: no [backup] dir configured"),
                (503, "backup_failed: the copy could not be written (the reason given)"),
            ),
        },
    },
}
PATHS["/api/admin/backups/{name}"] = {
    "get": {
        "summary": "Download one copy (a SQLite file holding staff accounts and resident records)",
        "security": [{"session": []}],
        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {
                "description": "The copy",
                "content": {"application/vnd.sqlite3": {"schema": {"type": "string", "format": "binary"}}},
            },
            **_errors(*_ADMIN_ERRORS, (404, "unknown_backup"), (409, "backup_off")),
        },
    }
}

_TEST_PRINT = {
    "type": "object",
    "properties": {
        "test_print": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": ["pending", "printed", "failed"]},
                "requested_at": {"type": "string"},
                "requested_by": {"type": "string"},
                "finished_at": {"type": "string", "nullable": True},
                "error": {"type": "string", "nullable": True},
            },
        },
        "printer": {"type": "string", "enum": ["online", "offline", "paper_out", "unknown"]},
    },
}
PATHS["/api/admin/printer/test"] = {
    "post": {
        "summary": "Queue a test page through the print worker (after waiting tickets); one attempt, its result at "
        "GET /api/admin/printer/test/{id}",
        "security": [{"session": [], "csrf": []}],
        "responses": {
            "202": _json(_TEST_PRINT, "Queued"),
            **_errors(*_ADMIN_ERRORS, (409, 'no_printer: printer.type is "none"')),
        },
    }
}
PATHS["/api/admin/printer/test/{id}"] = {
    "get": {
        "summary": "A test page's result (pending, printed, failed with the reason) and the printer's state",
        "security": [{"session": []}],
        "parameters": [_ID],
        "responses": {"200": _json(_TEST_PRINT), **_errors(*_ADMIN_ERRORS, (404, "unknown_test_print"))},
    }
}

# ---------------------------------------------------------------- SMS (gammu-smsd files backend)
_SMS_COUNTS = {
    "type": "object",
    "properties": {
        key: {"type": "integer"}
        for key in (
            "received",
            "answered",
            "ignored",
            "limited",
            "pending",
            "queued",
            "sent",
            "failed",
            "dropped",
            "budget",
            "budget_left",
        )
    },
}
_SMS_COUNTS["properties"]["day"] = {"type": "string", "format": "date"}
PATHS["/api/tickets/{id}/sms"] = {
    "post": {
        "summary": "Opt in to SMS for a waiting ticket of today (kiosk PCs, staff): a message when three numbers are "
        "ahead and one when it is called; the number is kept only until the ticket ends. Stands in until "
        'POST /api/tickets takes "phone"',
        "parameters": [_ID],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["phone"],
                        "properties": {
                            "phone": {
                                "type": "string",
                                "maxLength": SMS_PHONE_MAX,
                                "pattern": SMS_PHONE_PATTERN,
                                "description": "an Indonesian mobile number, normalised to +62…",
                            }
                        },
                    }
                }
            },
        },
        "responses": {
            "201": _json(
                {
                    "type": "object",
                    "properties": {
                        "sms": {
                            "type": "object",
                            "properties": {
                                "ticket": {"type": "integer"},
                                "phone": {"type": "string", "description": "masked"},
                            },
                        }
                    },
                },
                "Created",
            ),
            **_errors(
                (400, "invalid_phone / bad_request"),
                (403, "not_a_kiosk / csrf_failed"),
                (404, "not_found"),
                (409, "sms_unavailable: [sms] enabled = false / ticket_not_waiting"),
            ),
        },
    }
}
PATHS["/api/bookings/{token}/sms"] = {
    "post": {
        "summary": "Keep an SMS number with a booking still to come (kiosk PCs, staff): its reminder the evening before "
        "([sms] reminder_time), a notice when a disruption touches it, and once checked in its ticket's "
        "messages; kept until the booking ends",
        "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["phone"],
                        "properties": {
                            "phone": {
                                "type": "string",
                                "maxLength": SMS_PHONE_MAX,
                                "pattern": SMS_PHONE_PATTERN,
                                "description": "an Indonesian mobile number, normalised to +62…",
                            }
                        },
                    }
                }
            },
        },
        "responses": {
            "201": _json(
                {
                    "type": "object",
                    "properties": {
                        "sms": {
                            "type": "object",
                            "properties": {
                                "booking": {"type": "string", "description": "the booking's code"},
                                "phone": {"type": "string", "description": "masked"},
                            },
                        }
                    },
                },
                "Created",
            ),
            **_errors(
                (400, "invalid_phone / bad_request"),
                (403, "not_a_kiosk / csrf_failed"),
                (404, "unknown_booking"),
                (409, "sms_unavailable: [sms] enabled = false / booking_not_open"),
            ),
        },
    }
}
PATHS["/api/admin/sms"] = {
    "get": {
        "summary": "The SMS channel: on or off, gammu-smsd's folders and modem state, today's messages, failures and "
        "the day's budget left ([sms] daily_limit)",
        "security": [{"session": []}],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "enabled": {"type": "boolean"},
                        "problem": {"type": "string", "nullable": True},
                        "folders": {"type": "object", "additionalProperties": {"type": "string"}},
                        "quiet_hours": {"type": "string"},
                        "outbox_waiting": {"type": "integer"},
                        "modem": {
                            "type": "object",
                            "properties": {
                                "state": {
                                    "type": "string",
                                    "enum": ["off", "running", "not_running", "not_configured", "not_installed"],
                                }
                            },
                        },
                        "today": _SMS_COUNTS,
                        "failures": {"type": "array", "items": {"type": "object"}},
                    },
                }
            ),
            **_errors(*_ADMIN_ERRORS),
        },
    }
}


# ---------------------------------------------------------------- standards and complaints

_TEXTS = {"type": "array", "items": {"type": "string"}}
SCHEMAS["ServiceStandard"] = {
    "type": "object",
    "description": 'A service\'s Standar Pelayanan ([[services]] keys); the _en keys hold the English text ("" or []'
    " when none is configured)",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "name_en": {"type": "string", "nullable": True},
        **{f"{key}{suffix}": _TEXTS for key in ("requirements", "procedure") for suffix in ("", "_en")},
        **{
            f"{key}{suffix}": {"type": "string"}
            for key in ("time_standard", "cost", "product")
            for suffix in ("", "_en")
        },
    },
}
_CATEGORY = {"type": "string", "enum": ["info", "service", "conduct", "other"]}
_COMPLAINT_FIELDS = {
    "code": {"type": "string", "example": "PGD-2026-0001"},
    "category": _CATEGORY,
    "status": {"type": "string", "enum": ["open", "answered"]},
    "due_at": {
        "type": "string",
        "format": "date-time",
        "description": "close of the N-th working day after the day received ([complaints] per category)",
    },
    "category_label": {"type": "string"},
    "category_label_en": {"type": "string"},
    "status_label": {"type": "string"},
    "status_label_en": {"type": "string"},
    "received_at": {"type": "string", "format": "date-time"},
    "overdue": {"type": "boolean", "description": "unanswered past its deadline"},
    "text": {"type": "string", "description": "digit runs of 8 or more removed, as in survey suggestions"},
    "answer": {"type": "string", "nullable": True},
    "answered_at": {"type": "string", "format": "date-time", "nullable": True},
    "lapor_ref": {"type": "string", "nullable": True, "description": "SP4N-LAPOR! tracking number if referred"},
}
SCHEMAS["Complaint"] = {
    "type": "object",
    "description": "A complaint as its holder sees it (the token is the holder's own: it opens /c/<token>)",
    "properties": {**_COMPLAINT_FIELDS, "token": {"type": "string"}, "track_url": {"type": "string"}},
}
SCHEMAS["StaffComplaint"] = {
    "type": "object",
    "description": "A complaint in the staff inbox: never its token or track URL",
    "properties": {
        **_COMPLAINT_FIELDS,
        "outcome": {"type": "string", "enum": ["answered_on_time", "answered_late", "overdue", "open"]},
        "channel": {"type": "string", "enum": ["kiosk", "phone", "staff"]},
        "phone": {"type": "string", "nullable": True, "description": "+62..., for calling back"},
        "received_by": {"type": "string", "nullable": True},
        "answered_by": {"type": "string", "nullable": True},
    },
}
PATHS["/api/standards"] = {
    "get": {
        "summary": "The office's Maklumat Pelayanan, every service's Standar Pelayanan and the complaint deadlines",
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "office": {"type": "string"},
                        "maklumat": {"type": "string"},
                        "maklumat_en": {"type": "string"},
                        "services": {"type": "array", "items": _ref("ServiceStandard")},
                        "complaints": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "category": _CATEGORY,
                                    "label": {"type": "string"},
                                    "label_en": {"type": "string"},
                                    "days": {"type": "integer", "description": "working days to answer within"},
                                },
                            },
                        },
                    },
                }
            )
        },
    }
}
_COMPLAINT_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
PATHS["/api/complaints"] = {
    "post": {
        "summary": "Lodge a complaint: a staff session with its X-CSRF-Token, the holder of a ticket's token "
        "(field ticket, from any device; at most 3 per ticket), or a kiosk PC (at most 30 in 10 "
        "minutes each)",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["category", "text"],
                        "properties": {
                            "category": _CATEGORY,
                            "text": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": NOT_BLANK},
                            "phone": {
                                "type": "string",
                                "nullable": True,
                                "maxLength": PHONE_MAX,
                                "pattern": PHONE_PATTERN,
                                "description": "Indonesian mobile number for a call back (minta dihubungi)",
                            },
                            "ticket": {
                                "type": "string",
                                "minLength": 1,
                                "description": "a ticket's token (the phone page)",
                            },
                            "lang": {
                                "type": "string",
                                "enum": ["id", "en"],
                                "description": "language of the kiosk's printed receipt (id when absent)",
                            },
                        },
                    }
                }
            },
        },
        "responses": {
            "201": _json(
                {
                    "type": "object",
                    "properties": {
                        "complaint": _ref("Complaint"),
                        "receipt": {
                            "type": "boolean",
                            "description": "a kiosk's printer prints the receipt: code, category, "
                            "dates and QR link, never the text or phone",
                        },
                    },
                },
                "Lodged",
            ),
            **_errors(
                (400, "bad_request"),
                (403, "not_a_kiosk: no kiosk PC, staff session or ticket token / csrf_failed"),
                (404, "not_found: unknown ticket token"),
                (409, "complaint_limit: this ticket has lodged its 3 complaints"),
                (429, "rate_limited: this kiosk PC's complaint rate (Retry-After)"),
            ),
        },
    },
    "get": {
        "summary": "The staff inbox, earliest deadline first",
        "security": [{"session": []}],
        "parameters": [
            {
                "name": "status",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["open", "overdue", "answered"]},
                "description": "open (overdue among them) / overdue / answered; absent: all",
            }
        ],
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"complaints": {"type": "array", "items": _ref("StaffComplaint")}}}
            ),
            **_errors((400, "bad_request"), *_STAFF_ERRORS),
        },
    },
}
PATHS["/api/complaints/{token}"] = {
    "get": {
        "summary": "A complaint's status and answer, for whoever holds its token",
        "parameters": [_COMPLAINT_TOKEN],
        "responses": {
            "200": _json({"type": "object", "properties": {"complaint": _ref("Complaint")}}),
            **_errors((404, "not_found")),
        },
    }
}
PATHS["/api/complaints/{token}/qr.svg"] = {
    "get": {
        "summary": "The QR code of a complaint's phone page (its track_url), for the kiosk's receipt",
        "parameters": [_COMPLAINT_TOKEN],
        "responses": {
            "200": {"description": "SVG image", "content": {"image/svg+xml": {}}},
            **_errors((404, "not_found")),
        },
    }
}
PATHS["/api/complaints/{code}/answer"] = {
    "post": {
        "summary": "Answer a complaint once (its holder sees the answer), optionally with its SP4N-LAPOR! reference",
        "security": [{"session": [], "csrf": []}],
        "parameters": [
            {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "example": "PGD-2026-0001"}}
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["text"],
                        "properties": {
                            "text": {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": NOT_BLANK},
                            "lapor_ref": {
                                "type": "string",
                                "nullable": True,
                                "pattern": "^([A-Za-z0-9][A-Za-z0-9./-]{0,39})?$",
                            },
                        },
                    }
                }
            },
        },
        "responses": {
            "200": _json({"type": "object", "properties": {"complaint": _ref("StaffComplaint")}}),
            **_errors((400, "bad_request"), *_STAFF_ERRORS, (404, "not_found"), (409, "already_answered")),
        },
    }
}
_COUNTS = {key: {"type": "integer"} for key in ("received", "answered_on_time", "answered_late", "overdue", "open")}
_YEAR = [
    {
        "name": "year",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
        "description": "the year (this year when absent)",
    }
]
_EVALUATION_ERRORS = _errors((400, "bad_request: year not 2000-2100"), (401, "login_required"), (403, "forbidden"))
PATHS["/api/reports/evaluation"] = {
    "get": {
        "summary": "The yearly evaluation pack (PEKPPP): standards as published with this year's changes, SKM per "
        "quarter, complaints per category and month, opening days, disruption minutes per month (null "
        "while no disruption was ever recorded); the A4 page is /admin/evaluation?year=",
        "security": [{"session": []}],
        "parameters": _YEAR,
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "year": {"type": "integer"},
                        "office": {"type": "string"},
                        "generated_at": {"type": "string", "format": "date-time"},
                        "through": {"type": "string", "format": "date"},
                        "aspects": {"type": "object"},
                        "standards": {
                            "type": "object",
                            "properties": {
                                "maklumat": {"type": "string"},
                                "services": {"type": "array", "items": _ref("ServiceStandard")},
                                "changes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "changed_at": {"type": "string"},
                                            "changed_by": {"type": "string"},
                                            "subject": {"type": "string", "description": '"office" or a service code'},
                                            "key": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                        "skm": {
                            "type": "object",
                            "properties": {
                                "quarters": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "quarter": {"type": "integer"},
                                            "respondents": {"type": "integer"},
                                            "population": {"type": "integer"},
                                            "ikm": {"type": "number", "nullable": True},
                                            "grade": {"type": "string", "nullable": True},
                                        },
                                    },
                                }
                            },
                        },
                        "complaints": {
                            "type": "object",
                            "properties": {
                                "by_category": {
                                    "type": "array",
                                    "items": {"type": "object", "properties": {"category": _CATEGORY, **_COUNTS}},
                                },
                                "by_month": {"type": "array", "items": {"type": "object"}},
                                "total": {"type": "object", "properties": _COUNTS},
                            },
                        },
                        "service_days": {
                            "type": "object",
                            "properties": {
                                "opening_days": {"type": "integer"},
                                "served_days": {"type": "integer"},
                                "disruptions_recorded": {"type": "boolean"},
                                "disruption_minutes": {"type": "integer", "nullable": True},
                            },
                        },
                    },
                }
            ),
            **_EVALUATION_ERRORS,
        },
    }
}
PATHS["/api/reports/evaluation.xlsx"] = {
    "get": {
        "summary": "The yearly evaluation pack as Excel: one sheet per evaluation aspect",
        "security": [{"session": []}],
        "parameters": _YEAR,
        "responses": {
            "200": {
                "description": "Excel workbook",
                "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
            },
            **_EVALUATION_ERRORS,
        },
    }
}
# The settings screen edits the standards and the Maklumat as keys of [[services]] and [office].
SCHEMAS["ScreenSettings"]["properties"]["services"]["items"]["properties"].update(
    {
        key: value
        for key, value in SCHEMAS["ServiceStandard"]["properties"].items()
        if key not in ("code", "name", "name_en")
    }
)
SCHEMAS["ScreenSettings"]["properties"]["office"]["properties"].update(
    {"maklumat": {"type": "string", "maxLength": 2000}, "maklumat_en": {"type": "string", "maxLength": 2000}}
)


# ---------------------------------------------------------------- later days, fairness, disruptions (docs/contract.md)

SCHEMAS["Disruption"] = {
    "type": "object",
    "description": "A disruption as anyone may see it (kiosk, display, phone page)",
    "properties": {
        "id": {"type": "integer"},
        "service": {"type": "string", "nullable": True, "description": "null: all"},
        "service_name": {"type": "string", "nullable": True},
        "service_name_en": {"type": "string", "nullable": True},
        "reason": {"type": "string", "enum": ["blanko", "network", "power", "equipment", "staff", "other"]},
        "label": {"type": "string"},
        "label_en": {"type": "string"},
        "note": {"type": "string"},
        "since": {"type": "string", "format": "date-time"},
        "until": {"type": "string", "format": "date-time", "nullable": True, "description": "expected end"},
        "alternatives": {
            "type": "array",
            "description": "[disruption.alternatives] of the reason",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "name_en": {"type": "string", "nullable": True},
                },
            },
        },
        "later_day": {"type": "boolean", "description": "the service takes bookings for a later day"},
        "ended_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
SCHEMAS["Service"]["properties"]["suspended"] = {**_ref("Disruption"), "nullable": True}
_DISRUPTION_ANSWER = _json({"type": "object", "properties": {"disruption": _ref("Disruption")}})
_tickets = PATHS["/api/tickets"]["post"]["responses"]
_tickets["409"] = _json(
    _ref("Error"),
    "service_closed / quota_reached / service_suspended (the error also carries `alternatives` and `disruption`)",
)
PATHS.update(
    {
        "/api/disruptions": {
            "get": {
                "summary": "The disruptions going on now (public fields)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"disruptions": {"type": "array", "items": _ref("Disruption")}},
                        }
                    )
                },
            },
            "post": {
                "summary": "Suspend one service, or every service (service null), with a reason (staff); SSE event "
                "`disruption`; POST /api/tickets for it answers 409 service_suspended until it ends",
                "security": [{"session": [], "csrf": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["reason"],
                                "properties": {
                                    "service": {"type": "string", "nullable": True, "minLength": 1},
                                    "reason": {
                                        "type": "string",
                                        "enum": ["blanko", "network", "power", "equipment", "staff", "other"],
                                    },
                                    "note": {"type": "string", "maxLength": 200},
                                    "until": {
                                        "type": "string",
                                        "description": "expected end: ISO 8601 (office time "
                                        "without offset) or HH:MM today",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _DISRUPTION_ANSWER,
                    **_errors(*_STAFF_ERRORS, (400, "bad_request"), (404, "unknown_service")),
                },
            },
        },
        "/api/disruptions/waiting": {
            "get": {
                "summary": "The waiting tickets of every service a disruption covers now, in calling order (staff): "
                "each can be kept, moved (transfer) or turned into a booking (rebook)",
                "security": [{"session": []}],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "services": {"type": "array", "items": {"type": "string"}},
                                "tickets": {"type": "array", "items": _ref("Ticket")},
                            },
                        }
                    ),
                    **_errors(*_STAFF_ERRORS),
                },
            }
        },
        "/api/disruptions/{id}/end": {
            "post": {
                "summary": "End a disruption now (staff); SSE event `disruption` with ended_at",
                "security": [{"session": [], "csrf": []}],
                "parameters": [_ID],
                "responses": {
                    "200": _DISRUPTION_ANSWER,
                    **_errors(*_STAFF_ERRORS, (404, "unknown_disruption"), (409, "already_ended")),
                },
            }
        },
        "/api/reports/disruptions": _report(
            "Disruption minutes per service and reason over a period (a disruption of every service counts for each)",
            _PERIOD,
            _json(
                {
                    "type": "object",
                    "properties": {
                        "from": {"type": "string", "format": "date"},
                        "to": {"type": "string", "format": "date"},
                        "services": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "service": {"type": "string"},
                                    "reason": {"type": "string"},
                                    "label": {"type": "string"},
                                    "disruptions": {"type": "integer"},
                                    "minutes": {"type": "integer"},
                                },
                            },
                        },
                    },
                }
            ),
        ),
    }
)

PATHS["/api/reports/disruptions.csv"] = _report(
    "Disruption minutes per service and reason over a period as CSV (columns service, reason, label, disruptions, "
    "minutes; `?dialect=excel-id`: semicolons and Indonesian headings); the period's .xlsx has them on a sheet "
    "'Gangguan'",
    _PERIOD + _DIALECT,
    {**_CSV, "description": "CSV: one row per service and reason"},
)

SCHEMAS["Ticket"]["properties"].update(
    {
        "members": {"type": "integer", "minimum": 1, "maximum": 5, "description": "people of one KK served on it"},
        "booked": {"type": "boolean", "description": "checked in from a booking: called ahead within its window"},
    }
)
SCHEMAS["Booking"] = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "example": "K7M2QX"},
        "token": {"type": "string"},
        "service": {"type": "string"},
        "service_name": {"type": "string"},
        "service_name_en": {"type": "string", "nullable": True},
        "date": {"type": "string", "format": "date"},
        "slot_start": {"type": "string", "example": "08:00"},
        "slot_end": {"type": "string", "example": "09:00"},
        "status": {"type": "string", "enum": ["booked", "checked_in", "cancelled", "expired"]},
        "members": {"type": "integer"},
        "track_url": {"type": "string"},
        "ticket": {**_ref("Ticket"), "nullable": True},
        "requirements": {"type": "array", "items": {"type": "string"}},
        "check_in_from": {"type": "string"},
        "check_in_until": {"type": "string"},
    },
}
_BOOKING_ANSWER = _json({"type": "object", "properties": {"booking": _ref("Booking")}})
_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
_KIOSK_ERRORS = ((403, "not_a_kiosk: not a kiosk PC and no staff session / csrf_failed"),)
_ticket_body = PATHS["/api/tickets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
_ticket_body["properties"].update(
    {
        "nik": {
            "type": "string",
            "description": "where the service has one_per_nik (else ignored, never kept): "
            "kept as a keyed hash; the same NIK again that day answers 200 "
            'with its ticket and "existing": true',
        },
        "members": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1},
        "phone": {
            "type": "string",
            "pattern": OPT_IN_PATTERN,
            "description": "SMS opt-in, e.g. 0812 3456 7890 (empty: none); kept until the ticket ends",
        },
    }
)
PATHS["/api/tickets"]["post"]["responses"]["400"] = _json(
    _ref("Error"), "bad_request / nik_required / invalid_nik / invalid_phone"
)
PATHS.update(
    {
        "/api/bookings/availability": {
            "get": {
                "summary": "The next [booking] days_ahead open days of a service with the seats left per arrival window "
                "(none where booking_quota is 0)",
                "parameters": [
                    {"name": "service", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1}}
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "service": {"type": "string"},
                                "days": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "date": {"type": "string", "format": "date"},
                                            "slots": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "start": {"type": "string"},
                                                        "end": {"type": "string"},
                                                        "left": {"type": "integer"},
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    ),
                    **_errors((400, "bad_request"), (404, "unknown_service")),
                },
            }
        },
        "/api/bookings": {
            "post": {
                "summary": "Book a seat in an arrival window of a later open day (kiosk PCs, or staff); race-safe",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["service", "date", "slot"],
                                "properties": {
                                    "service": {"type": "string", "minLength": 1},
                                    "date": {"type": "string", "format": "date"},
                                    "slot": {
                                        "type": "string",
                                        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                        "example": "08:00",
                                        "description": "the start of one of that day's arrival windows",
                                    },
                                    "nik": {"type": "string"},
                                    "members": {"type": "integer", "minimum": 1, "maximum": 5},
                                    "phone": {"type": "string", "pattern": OPT_IN_PATTERN},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _BOOKING_ANSWER,
                    "200": _BOOKING_ANSWER,
                    **_errors(
                        (400, "bad_request / nik_required / invalid_nik / invalid_phone"),
                        *_KIOSK_ERRORS,
                        (404, "unknown_service"),
                        (409, "slot_full / service_closed / already_booked"),
                        (422, "idempotency_mismatch"),
                        (429, "rate_limited"),
                    ),
                },
            },
            "get": {
                "summary": "The bookings of a day (default today) by arrival window: expected arrivals (staff)",
                "security": [{"session": []}],
                "parameters": [
                    {"name": "date", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}},
                    {"name": "service", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "date": {"type": "string"},
                                "bookings": {"type": "array", "items": _ref("Booking")},
                            },
                        }
                    ),
                    **_errors(*_STAFF_ERRORS, (400, "bad_request")),
                },
            },
        },
        "/api/bookings/{token}": {
            "get": {
                "summary": "One booking, for whoever holds its token",
                "parameters": [_TOKEN],
                "responses": {"200": _BOOKING_ANSWER, **_errors((404, "unknown_booking"))},
            }
        },
        "/api/bookings/{token}/cancel": {
            "post": {
                "summary": "Cancel a booking (again: unchanged); its seat goes back to the window",
                "parameters": [_TOKEN],
                "responses": {
                    "200": _BOOKING_ANSWER,
                    **_errors((404, "unknown_booking"), (409, "bad_transition: already used or expired")),
                },
            }
        },
        "/api/check-ins": {
            "post": {
                "summary": "Check a booking in on its day: the code typed, or the slip's QR link as a scanner types it. "
                "From [booking] early_minutes before the window to late_minutes after it: a number called "
                "ahead of walk-ins (at most every other call); later: the booking expires and a plain walk-in "
                "number is given if the day has room (walk_in true). A ticket's QR link (.../t/<token>) scanned "
                "here puts a no-show back in the queue, as the counter's late return does: 200 with late_return "
                "true, once, within [queue] late_return_minutes",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["code"],
                                "properties": {"code": {"type": "string", "minLength": 1}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["ticket", "late_return"],
                            "properties": {"ticket": _ref("Ticket"), "late_return": {"type": "boolean"}},
                        }
                    ),
                    "201": _json(
                        {
                            "type": "object",
                            "properties": {
                                "ticket": _ref("Ticket"),
                                "booking": _ref("Booking"),
                                "walk_in": {"type": "boolean"},
                            },
                        }
                    ),
                    **_errors(
                        (400, "bad_request"),
                        *_KIOSK_ERRORS,
                        (404, "unknown_booking; a ticket's link: unknown_ticket"),
                        (
                            409,
                            "too_early / expired / already_checked_in / not_today; a ticket's link: not_a_no_show / "
                            "too_late / already_returned",
                        ),
                        (429, "rate_limited"),
                    ),
                },
            }
        },
    }
)
PATHS["/api/tickets/{id}/late-return"] = _staff_action(
    "A no-show back within [queue] late_return_minutes: waiting again, [queue] late_requeue_after numbers later; "
    "once per ticket"
)
PATHS["/api/tickets/{id}/late-return"]["post"]["responses"]["409"] = _json(
    _ref("Error"), "bad_transition: not a no-show / already_returned: once only / too_late"
)
PATHS["/api/reports/bookings"] = _report(
    "Bookings for the days of a period per service: booked (still to come), checked in, cancelled, expired",
    _PERIOD,
    _json(
        {
            "type": "object",
            "properties": {
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "services": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "service": {"type": "string"},
                            **{key: {"type": "integer"} for key in ("booked", "checked_in", "cancelled", "expired")},
                        },
                    },
                },
            },
        }
    ),
)
PATHS["/api/events"]["get"]["summary"] += (
    "; `disruption` (Disruption, with ended_at) when a disruption starts or ends; `bookings` ({date, service}) "
    "when a booking is made, cancelled or checked in"
)
PATHS["/api/tickets/{id}/rebook"] = {
    "post": {
        "summary": "Turn a waiting ticket into a booking in the earliest window with room over the next open days "
        "(staff, e.g. during a disruption); the ticket is cancelled, a slip printed",
        "security": [{"session": [], "csrf": []}],
        "parameters": [_ID],
        "responses": {
            "201": _json({"type": "object", "properties": {"booking": _ref("Booking"), "ticket": _ref("Ticket")}}),
            **_errors(
                *_TICKET_STAFF_ERRORS,
                (404, "not_found"),
                (409, "bad_transition: not waiting / service_closed: no bookings / slot_full"),
            ),
        },
    }
}
