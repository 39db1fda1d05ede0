"""Staff accounts, their change record and their sessions (SQL only; the rules are in domain/staff)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from kiosk.domain.errors import BadRequest, LastAdmin, NotFound
from kiosk.storage.db import Database, row_or_none, stamp

Row = dict[str, Any]


COMMAND_LINE = "command line"  # who made an account change from `kiosk user ...`


def _record_change(
    conn: sqlite3.Connection, staff_id: int, change: str, by: str, at: int, detail: str | None = None
) -> None:
    conn.execute(
        "INSERT INTO staff_changes (at, staff_id, change, detail, by_username) VALUES (?, ?, ?, ?, ?)",
        [at, staff_id, change, detail, by],
    )


def _keep_an_admin(conn: sqlite3.Connection) -> None:
    """Refuse (roll back) a change that would leave no active admin; called inside the change's transaction."""
    if conn.execute("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1").fetchone()[0] == 0:
        raise LastAdmin("Akun ini admin aktif terakhir: tambahkan atau aktifkan admin lain terlebih dahulu.")


def add_staff(db: Database, username: str, password_hash: str, role: str, now: datetime, by: str = COMMAND_LINE) -> Row:
    """Create a staff account (recorded with who created it); raise BadRequest when the username is taken."""
    try:
        with db.write() as conn:
            cur = conn.execute(
                "INSERT INTO staff (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                [username, password_hash, role, stamp(now)],
            )
            _record_change(conn, cur.lastrowid, "created", by, int(now.timestamp()), role)
    except sqlite3.IntegrityError:
        raise BadRequest(f"Nama pengguna '{username}' sudah dipakai.", code="username_taken") from None
    return {"id": cur.lastrowid, "username": username, "role": role}


def get_staff(db: Database, username: str) -> Row | None:
    """Return an active staff account by username (case-insensitive), or None."""
    return row_or_none(db.conn.execute("SELECT * FROM staff WHERE username = ? AND active = 1", [username]).fetchone())


def get_staff_by_id(db: Database, staff_id: int) -> Row | None:
    """Return an active staff account by id, or None."""
    return row_or_none(db.conn.execute("SELECT * FROM staff WHERE id = ? AND active = 1", [staff_id]).fetchone())


def list_staff(db: Database) -> list[Row]:
    """Return every staff account (disabled ones too) with its number of open sessions."""
    rows = db.conn.execute(
        "SELECT s.id, s.username, s.role, s.active, s.created_at,"
        " (SELECT COUNT(*) FROM staff_sessions x WHERE x.staff_id = s.id AND x.ended_at IS NULL) AS sessions"
        " FROM staff s ORDER BY s.username COLLATE NOCASE"
    ).fetchall()
    return [dict(row) for row in rows]


def _end_sessions(conn: sqlite3.Connection, staff_id: int, now: int, reason: str) -> int:
    cur = conn.execute(
        "UPDATE staff_sessions SET ended_at = ?, end_reason = ? WHERE staff_id = ? AND ended_at IS NULL",
        [now, reason, staff_id],
    )
    return cur.rowcount


def end_all_staff_sessions(db: Database, now: int, reason: str) -> int:
    """End every open staff session (e.g. after a restore revived sessions ended since the copy); return how many."""
    with db.write() as conn:
        return conn.execute(
            "UPDATE staff_sessions SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL", [now, reason]
        ).rowcount


def _staff_id(conn: sqlite3.Connection, username: str) -> int:
    row = conn.execute("SELECT id FROM staff WHERE username = ?", [username]).fetchone()
    if row is None:
        raise NotFound(f"no staff account named '{username}'", code="unknown_staff")
    return row[0]


def set_staff_password(db: Database, username: str, password_hash: str, now: int) -> int:
    """Replace a staff member's password and end their sessions; return how many were ended."""
    with db.write() as conn:
        staff_id = _staff_id(conn, username)
        conn.execute("UPDATE staff SET password_hash = ? WHERE id = ?", [password_hash, staff_id])
        return _end_sessions(conn, staff_id, now, "password_changed")


def disable_staff(db: Database, username: str, now: int, by: str = COMMAND_LINE) -> int:
    """Disable a staff account and end its sessions; return how many were ended.

    Raise LastAdmin, changing nothing, when it is the last active admin (checked in the same transaction).
    """
    with db.write() as conn:
        staff_id = _staff_id(conn, username)
        if conn.execute("UPDATE staff SET active = 0 WHERE id = ? AND active = 1", [staff_id]).rowcount:
            _keep_an_admin(conn)
            _record_change(conn, staff_id, "disabled", by, now)
        return _end_sessions(conn, staff_id, now, "disabled")


def enable_staff(db: Database, username: str, now: int, by: str = COMMAND_LINE) -> None:
    """Let a disabled staff account log in again (with its old password)."""
    with db.write() as conn:
        staff_id = _staff_id(conn, username)
        if conn.execute("UPDATE staff SET active = 1 WHERE id = ? AND active = 0", [staff_id]).rowcount:
            _record_change(conn, staff_id, "enabled", by, now)


def set_staff_role(db: Database, username: str, role: str, now: int, by: str = COMMAND_LINE) -> int:
    """Change a staff member's role and end their sessions (they log in again with it); return how many ended.

    Raise LastAdmin, changing nothing, when it would demote the last active admin (checked in the same transaction).
    """
    with db.write() as conn:
        staff_id = _staff_id(conn, username)
        if conn.execute("UPDATE staff SET role = ? WHERE id = ? AND role != ?", [role, staff_id, role]).rowcount:
            _keep_an_admin(conn)
            _record_change(conn, staff_id, "role", by, now, role)
        return _end_sessions(conn, staff_id, now, "role_changed")


def staff_changes(db: Database, limit: int = 200) -> list[Row]:
    """Return the latest account changes, newest first: who created, disabled, enabled or re-roled whom, when."""
    rows = db.conn.execute(
        "SELECT c.at, s.username AS account, c.change, c.detail, c.by_username AS by FROM staff_changes c"
        " JOIN staff s ON s.id = c.staff_id ORDER BY c.id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [dict(row) for row in rows]


def end_staff_sessions(db: Database, username: str, now: int) -> int:
    """End every open session of a staff member (a PC left logged in); return how many were ended."""
    with db.write() as conn:
        return _end_sessions(conn, _staff_id(conn, username), now, "ended_by_admin")


def start_staff_session(db: Database, token_hash: str, staff_id: int, now: int, forget_before: int) -> None:
    """Record a new staff session; drop records last used before ``forget_before``."""
    with db.write() as conn:
        conn.execute("DELETE FROM staff_sessions WHERE last_seen_at < ?", [forget_before])
        conn.execute(
            "INSERT INTO staff_sessions (token_hash, staff_id, started_at, last_seen_at) VALUES (?, ?, ?, ?)",
            [token_hash, staff_id, now, now],
        )


def get_staff_session(db: Database, token_hash: str) -> Row | None:
    """Return an open session (with the counter it works at) and its active staff member's account, or None."""
    return row_or_none(
        db.conn.execute(
            "SELECT x.started_at, x.last_seen_at, x.counter_id, s.* FROM staff_sessions x JOIN staff s ON s.id = x.staff_id"
            " WHERE x.token_hash = ? AND x.ended_at IS NULL AND s.active = 1",
            [token_hash],
        ).fetchone()
    )


def touch_staff_session(db: Database, token_hash: str, now: int) -> None:
    """Move a session's idle clock to ``now``."""
    with db.write() as conn:
        conn.execute(
            "UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ? AND ended_at IS NULL", [now, token_hash]
        )


def set_session_counter(db: Database, token_hash: str, counter_id: int) -> None:
    """Record the counter a staff session works at (the counter screen's choice, or its latest "next")."""
    with db.write() as conn:
        conn.execute(
            "UPDATE staff_sessions SET counter_id = ? WHERE token_hash = ? AND ended_at IS NULL",
            [counter_id, token_hash],
        )


def end_staff_session(db: Database, token_hash: str, now: int, reason: str) -> None:
    """End one staff session (logout, idle time-out)."""
    with db.write() as conn:
        conn.execute(
            "UPDATE staff_sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND ended_at IS NULL",
            [now, reason, token_hash],
        )
