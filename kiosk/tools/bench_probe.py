"""The bare probe of ``kiosk bench``: the floor an issue can reach on this machine, measured in the same run.

A bare Flask app on waitress (no hooks, no sessions, no guards, no views) whose ``POST /api/tickets``
commits the same three rows as issuing a ticket - the ticket, its ``issue`` event and its print job - in
one ``BEGIN IMMEDIATE`` transaction on its own SQLite file (WAL, ``synchronous=FULL``, the product's
schema), one writer at a time, and answers the ticket as JSON. The bench drives it with the same client
code as the product, so the product's figures can be stated as ratios of this one.

Run by the bench as ``python -m kiosk.tools.bench_probe DATABASE PORT THREADS``.
"""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

from flask import Flask, jsonify, request


def create_probe(path: str | Path) -> Flask:
    """Return the bare app writing to the (already created) database at ``path``."""
    app = Flask("kiosk_bench_probe")
    local = threading.local()
    write_lock = threading.Lock()  # writers queue here, not in SQLite's busy back-off

    def connection() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA synchronous=FULL")
        return conn

    @app.post("/api/tickets")
    def issue():
        body = request.get_json(silent=True)
        service = body.get("service") if isinstance(body, dict) else None
        if not isinstance(service, str) or not service:
            return jsonify({"error": {"code": "bad_request", "message": "service"}}), 400
        now = datetime.now().astimezone()
        stamp, day = now.isoformat(timespec="seconds"), now.date().isoformat()
        token = secrets.token_urlsafe(12)
        conn = connection()
        with write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                seq = conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets WHERE day = ? AND origin_service = ?", [day, service]
                ).fetchone()[0]
                number = f"{service[:1]}-{seq:03d}"
                ticket_id = conn.execute(
                    "INSERT INTO tickets (token, day, origin_service, seq, number, service, priority, status,"
                    " issued_at, queued_at, print_status) VALUES (?,?,?,?,?,?,0,'waiting',?,?,'pending')",
                    [token, day, service, seq, number, service, stamp, stamp],
                ).lastrowid
                conn.execute(
                    "INSERT INTO ticket_events (ticket_id, day, at, action, to_status, service)"
                    " VALUES (?,?,?,'issue','waiting',?)",
                    [ticket_id, day, stamp, service],
                )
                conn.execute("INSERT INTO print_jobs (ticket_id, created_at) VALUES (?, ?)", [ticket_id, stamp])
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return jsonify(
            {
                "ticket": {
                    "id": ticket_id,
                    "token": token,
                    "number": number,
                    "service": service,
                    "status": "waiting",
                    "issued_at": stamp,
                    "print_status": "pending",
                }
            }
        ), 201

    @app.get("/healthz")
    def health():
        return jsonify({"status": "ok"})

    return app


def start_probe(directory: Path, port: int, threads: int) -> subprocess.Popen:
    """Create the probe's database (the product's schema) in ``directory``; serve it on 127.0.0.1:``port``."""
    from kiosk.storage.db import Database
    from kiosk.tools.bench_load import child_environment, wait_until_healthy

    database = directory / "probe.db"
    db = Database(database)
    db.migrate()  # the same tables, columns, indexes and triggers as the product's; WAL is kept in the file
    db.close()
    log = open(directory / "probe.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.tools.bench_probe", str(database), str(port), str(threads)],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=log,
        env=child_environment(),
    )
    log.close()
    return wait_until_healthy(process, port, directory / "probe.log")


def main(argv: list[str]) -> None:
    from waitress import serve

    database, port, threads = argv
    serve(create_probe(database), host="127.0.0.1", port=int(port), threads=int(threads), ident="probe")


if __name__ == "__main__":
    main(sys.argv[1:])
