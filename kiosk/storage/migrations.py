"""Database schema as named, append-only sqlite-utils migrations: never edit one, add the next."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("kiosk")


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    """Staff, tickets, the append-only event log, the print outbox and small state."""
    # One statement at a time: executescript() would COMMIT the migration's transaction.
    for statement in _split(
        """
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('counter', 'admin')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            day TEXT NOT NULL,
            origin_service TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq > 0),
            number TEXT NOT NULL,
            service TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL CHECK (status IN
                ('waiting', 'called', 'serving', 'done', 'no_show', 'cancelled', 'expired')),
            issued_at TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            called_at TEXT,
            serving_at TEXT,
            finished_at TEXT,
            counter_id INTEGER,
            staff_id INTEGER REFERENCES staff(id),
            recalls INTEGER NOT NULL DEFAULT 0,
            print_status TEXT NOT NULL DEFAULT 'pending'
                CHECK (print_status IN ('printed', 'pending', 'failed')),
            idempotency_key TEXT,
            UNIQUE (day, origin_service, seq)
        );
        CREATE UNIQUE INDEX tickets_idempotency ON tickets (day, idempotency_key)
            WHERE idempotency_key IS NOT NULL;
        CREATE INDEX tickets_waiting ON tickets (day, service, status, priority, queued_at);
        CREATE INDEX tickets_counter ON tickets (day, counter_id, status);

        CREATE TABLE ticket_events (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            day TEXT NOT NULL,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            service TEXT NOT NULL,
            counter_id INTEGER,
            staff_id INTEGER REFERENCES staff(id),
            detail TEXT
        );
        CREATE INDEX ticket_events_day ON ticket_events (day, action, counter_id);
        CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id);
        CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
            BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
        CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
            BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;

        CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'printed', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            printed_at TEXT
        );
        CREATE INDEX print_jobs_pending ON print_jobs (status, id);

        CREATE TABLE service_overrides (
            day TEXT NOT NULL,
            service TEXT NOT NULL,
            open INTEGER,
            daily_quota INTEGER,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (day, service)
        );

        CREATE TABLE app_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    ):
        db.execute(statement)


def _split(script: str) -> list[str]:
    """Split a DDL script into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and (" BEGIN " not in f" {text} " or text.endswith("END;")):
            statements.append(text)
            current = []
    return statements


@migrations(name="0002_counter_hold_and_idempotency")
def counter_hold_and_idempotency(db: Database) -> None:
    """One held (called/serving) ticket per counter and day; idempotency keys unique across days."""
    # Repair what the old rules allowed before the indexes can hold: a counter holding several
    # tickets keeps its latest call; the others go back to the queue (recorded as a requeue).
    stranded = db.execute(
        "SELECT t.id, t.day, t.status, t.service, t.counter_id FROM tickets t"
        " WHERE t.status IN ('called', 'serving') AND t.counter_id IS NOT NULL AND EXISTS ("
        "  SELECT 1 FROM tickets u WHERE u.day = t.day AND u.counter_id = t.counter_id"
        "  AND u.status IN ('called', 'serving')"
        "  AND (u.called_at > t.called_at OR (u.called_at = t.called_at AND u.id > t.id)))"
    ).fetchall()
    for ticket_id, day, status, service, counter_id in stranded:
        db.execute(
            "UPDATE tickets SET status = 'waiting', counter_id = NULL, called_at = NULL, serving_at = NULL"
            " WHERE id = ?",
            [ticket_id],
        )
        db.execute(
            "INSERT INTO ticket_events (ticket_id, day, at, action, from_status, to_status, service, counter_id,"
            " detail) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), 'requeue', ?, 'waiting', ?, ?, ?)",
            [ticket_id, day, status, service, counter_id, "counter held another ticket (schema 0002)"],
        )
    # A key used on several days keeps only its latest ticket.
    db.execute(
        "UPDATE tickets SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM tickets u WHERE u.idempotency_key = tickets.idempotency_key AND u.id > tickets.id)"
    )
    for statement in (
        "DROP INDEX tickets_idempotency",
        "CREATE UNIQUE INDEX tickets_idempotency_key ON tickets (idempotency_key) WHERE idempotency_key IS NOT NULL",
        "CREATE UNIQUE INDEX tickets_counter_hold ON tickets (day, counter_id)"
        " WHERE status IN ('called', 'serving') AND counter_id IS NOT NULL",
        "CREATE INDEX tickets_held ON tickets (counter_id) WHERE status IN ('called', 'serving')",
        "CREATE INDEX tickets_open ON tickets (status, service, priority, queued_at)"
        " WHERE status IN ('waiting', 'called', 'serving')",
    ):
        db.execute(statement)


@migrations(name="0003_staff_sessions")
def staff_sessions(db: Database) -> None:
    """Server-side staff sessions, so logout, a password change or disabling ends them for real."""
    for statement in _split(
        """
        CREATE TABLE staff_sessions (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            started_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            ended_at INTEGER,
            end_reason TEXT
        );
        CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id) WHERE ended_at IS NULL;
        CREATE INDEX staff_sessions_last_seen ON staff_sessions (last_seen_at);
        """
    ):
        db.execute(statement)


@migrations(name="0004_applications")
def applications(db: Database) -> None:
    """KTP-el status records keyed by NIK, their append-only history, and the status lookup audit log."""
    for statement in _split(
        """
        CREATE TABLE applications (
            nik TEXT PRIMARY KEY,
            kk TEXT NOT NULL,
            name TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE application_history (
            id INTEGER PRIMARY KEY,
            nik TEXT NOT NULL,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('import', 'staff', 'demo')),
            kk TEXT NOT NULL,
            name TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX application_history_nik ON application_history (nik, id);
        CREATE INDEX application_history_at ON application_history (at);
        CREATE TRIGGER application_history_append_only BEFORE UPDATE ON application_history
        BEGIN SELECT RAISE(ABORT, 'application_history is append-only'); END;
        CREATE TABLE status_lookups (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            client TEXT NOT NULL,
            outcome TEXT NOT NULL,
            nik_hmac TEXT
        );
        CREATE INDEX status_lookups_at ON status_lookups (at);
        """
    ):
        db.execute(statement)


@migrations(name="0005_service_override_log")
def service_override_log(db: Database) -> None:
    """Who changed today's service overrides and when: the latest author on the row, every change in a log."""
    for statement in _split(
        """
        ALTER TABLE service_overrides ADD COLUMN updated_by TEXT;
        CREATE TABLE service_override_log (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            service TEXT NOT NULL,
            at TEXT NOT NULL,
            staff_id INTEGER,
            username TEXT NOT NULL,
            open INTEGER,
            daily_quota INTEGER,
            changes TEXT NOT NULL
        );
        CREATE INDEX service_override_log_day ON service_override_log (day, service, id);
        CREATE TRIGGER service_override_log_append_only BEFORE UPDATE ON service_override_log
        BEGIN SELECT RAISE(ABORT, 'service_override_log is append-only'); END;
        """
    ):
        db.execute(statement)


@migrations(name="0006_report_and_waiting_indexes")
def report_and_waiting_indexes(db: Database) -> None:
    """Indexes that keep a year of history cheap: a ticket's events by action, and the waiting line per service."""
    # Reports read one action over a range of days, then find the ticket's issue, first call and
    # last start of service by (ticket_id, action).
    db.execute("CREATE INDEX ticket_events_action_day ON ticket_events (action, day)")
    db.execute("CREATE INDEX ticket_events_ticket_action ON ticket_events (ticket_id, action)")
    # "People ahead" and waiting counts read only waiting tickets of a service, not every past day's.
    db.execute("CREATE INDEX tickets_waiting_line ON tickets (service, priority, queued_at) WHERE status = 'waiting'")


@migrations(name="0007_closed_dates")
def closed_dates(db: Database) -> None:
    """The office's extra closed days (cuti bersama, local events) beside the national holidays."""
    for statement in _split(
        """
        CREATE TABLE closed_dates (
            day TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        ) WITHOUT ROWID;
        """
    ):
        db.execute(statement)


# Frozen copy of kiosk.skm.ELEMENT_CODES at 0008: a migration never changes with the code around it.
SKM_ELEMENT_CODES = (
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


@migrations(name="0008_surveys")
def surveys(db: Database) -> None:
    """Resident satisfaction survey (SKM) responses, and the answered tickets kept apart from them.

    A response holds its day, service and channel, never its ticket, time or order: its id is random.
    Which tickets answered is a separate table of keyed hashes (no rowid, no shared column) that only
    keeps a ticket to one response.
    """
    answers = ",\n".join(
        f"            {code} INTEGER NOT NULL CHECK ({code} BETWEEN 1 AND 4)" for code in SKM_ELEMENT_CODES
    )
    for statement in _split(
        f"""
        CREATE TABLE survey_responses (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            service TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('phone', 'kiosk')),
{answers},
            gender TEXT,
            age TEXT,
            education TEXT,
            job TEXT,
            suggestion TEXT
        );
        CREATE INDEX survey_responses_day ON survey_responses (day, service);
        CREATE TABLE survey_tickets (
            ticket_hash TEXT PRIMARY KEY
        ) WITHOUT ROWID;
        """
    ):
        db.execute(statement)


@migrations(name="0009_status_lookup_staff")
def status_lookup_staff(db: Database) -> None:
    """Who among the staff looked a record up (kiosk lookups leave it empty): reads are audited like changes."""
    db.execute("ALTER TABLE status_lookups ADD COLUMN staff TEXT")


@migrations(name="0010_print_jobs_ticket")
def print_jobs_ticket(db: Database) -> None:
    """Find a ticket's print jobs by ticket: the outbox counts a job's earlier and later jobs for every print,
    and without this it read every job ever printed (a year of history made each ticket's print slower)."""
    db.execute("CREATE INDEX IF NOT EXISTS print_jobs_ticket ON print_jobs (ticket_id, id)")


@migrations(name="0011_waiting_line_covering")
def waiting_line_covering(db: Database) -> None:
    """Count the waiting line from the index alone: the waiting counts (every phone's poll, every display
    update) and the number ahead (every ticket issued) read each waiting ticket's row only for its day and
    status, three times the work of the index entry. Same order as the index it replaces."""
    db.execute(
        "CREATE INDEX tickets_waiting_cover ON tickets (service, priority, queued_at, day, status)"
        " WHERE status = 'waiting'"
    )
    db.execute("DROP INDEX IF EXISTS tickets_waiting_line")


@migrations(name="0012_staff_session_counter_and_account_changes")
def staff_session_counter_and_account_changes(db: Database) -> None:
    """The counter a staff session works at, kept with the session on the server (not in the browser's cookie);
    and an append-only record of who created, disabled, enabled or changed the role of each staff account."""
    for statement in _split(
        """
        ALTER TABLE staff_sessions ADD COLUMN counter_id INTEGER;
        CREATE TABLE staff_changes (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            change TEXT NOT NULL CHECK (change IN ('created', 'disabled', 'enabled', 'role')),
            detail TEXT,
            by_username TEXT NOT NULL
        );
        CREATE INDEX staff_changes_staff ON staff_changes (staff_id);
        CREATE TRIGGER staff_changes_no_update BEFORE UPDATE ON staff_changes
        BEGIN SELECT RAISE(ABORT, 'staff_changes is append-only'); END;
        CREATE TRIGGER staff_changes_no_delete BEFORE DELETE ON staff_changes
        BEGIN SELECT RAISE(ABORT, 'staff_changes is append-only'); END;
        """
    ):
        db.execute(statement)


def _status_key(db: Database) -> bytes:
    """The key of the NIK and KK hashes: the one Database.migrate holds, else the file beside this database."""
    from kiosk.storage.keyfiles import MIGRATION_STATUS_KEY, read_status_key

    key = MIGRATION_STATUS_KEY.get()
    if key is None:
        path = next((row[2] for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main"), "")
        key = read_status_key(Path(path or ":memory:"))
    return key


@migrations(name="0013_a_status_hashes_and_import_generations")
def status_hashes_and_import_generations(db: Database) -> None:
    """Residents' data at rest (UU PDP 27/2022) and imports that never stall issuing.

    The NIK and the nomor KK are kept only as keyed hashes (HMAC-SHA256, the key in ``<database>.status-key``,
    never in a backup); no birth date is kept. A record row belongs to an import generation: an import
    stages its rows and writes them under its own generation in short transactions, and readers see only
    generations up to ``status_state.generation``, switched in one small transaction at the end, so a
    failed or killed import changes nothing anybody sees.
    """
    from kiosk.domain.status import hash_kk, hash_nik

    key = _status_key(db)
    db.conn.create_function("kiosk_hash_nik", 1, lambda nik: hash_nik(key, nik), deterministic=True)
    db.conn.create_function("kiosk_hash_kk", 1, lambda kk: hash_kk(key, kk), deterministic=True)
    for statement in _split(
        """
        CREATE TABLE status_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        INSERT INTO status_state (id, generation) VALUES (1, 0);
        CREATE TABLE applications_hashed (
            nik_hash TEXT NOT NULL,
            generation INTEGER NOT NULL,
            kk_hash TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (nik_hash, generation)
        ) WITHOUT ROWID;
        INSERT INTO applications_hashed (nik_hash, generation, kk_hash, name, status, note, updated_at, updated_by)
            SELECT kiosk_hash_nik(nik), 0, kiosk_hash_kk(kk), name, status, note, updated_at, updated_by
            FROM applications;
        DROP TABLE applications;
        ALTER TABLE applications_hashed RENAME TO applications;
        CREATE INDEX applications_finished ON applications (status, updated_at);
        CREATE TABLE application_history_hashed (
            id INTEGER PRIMARY KEY,
            nik_hash TEXT NOT NULL,
            generation INTEGER NOT NULL DEFAULT 0,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('import', 'staff', 'demo')),
            kk_hash TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL
        );
        INSERT INTO application_history_hashed (id, nik_hash, generation, at, by, source, kk_hash, name, status, note)
            SELECT id, kiosk_hash_nik(nik), 0, at, by, source, kiosk_hash_kk(kk), name, status, note
            FROM application_history;
        DROP TABLE application_history;
        ALTER TABLE application_history_hashed RENAME TO application_history;
        CREATE INDEX application_history_nik ON application_history (nik_hash, id);
        CREATE INDEX application_history_at ON application_history (at);
        CREATE TRIGGER application_history_append_only BEFORE UPDATE ON application_history
        BEGIN SELECT RAISE(ABORT, 'application_history is append-only'); END;
        CREATE TABLE status_imports (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            by TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('staging', 'applying', 'done', 'failed'))
        );
        CREATE TABLE status_import_rows (
            import_id INTEGER NOT NULL,
            nik_hash TEXT NOT NULL,
            row_number INTEGER NOT NULL,
            kk_hash TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL,
            PRIMARY KEY (import_id, nik_hash)
        ) WITHOUT ROWID;
        """
    ):
        db.execute(statement)


@migrations(name="0014_settings_changes")
def settings_changes(db: Database) -> None:
    """Settings changed on the admin screen: one row per change (who, when, what was sent) with every screen
    change then in force, laid over the configuration file at start. Append-only: the latest row is current.

    Test pages the admin asked for go through the print worker like tickets, in their own small outbox
    (a ticket's print job needs a ticket)."""
    for statement in _split(
        """
        CREATE TABLE settings_changes (
            id INTEGER PRIMARY KEY,
            changed_at TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            patch TEXT NOT NULL,
            changes TEXT NOT NULL
        );
        CREATE TRIGGER settings_changes_no_update BEFORE UPDATE ON settings_changes
        BEGIN SELECT RAISE(ABORT, 'settings_changes is append-only'); END;
        CREATE TRIGGER settings_changes_no_delete BEFORE DELETE ON settings_changes
        BEGIN SELECT RAISE(ABORT, 'settings_changes is append-only'); END;
        CREATE TABLE test_prints (
            id INTEGER PRIMARY KEY,
            requested_at TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'printed', 'failed')),
            finished_at TEXT,
            last_error TEXT
        );
        """
    ):
        db.execute(statement)


@migrations(name="0015_bookings_and_disruptions")
def bookings_and_disruptions(db: Database) -> None:
    """Numbers for a later day (bookings in arrival windows, their printed slips), disruptions of a service or
    of all, and per ticket: family members, the booked window it was checked in for, a keyed hash of the NIK
    (one number per NIK per day where a service asks) and a phone number for SMS kept until the ticket ends."""
    for statement in _split(
        """
        ALTER TABLE tickets ADD COLUMN members INTEGER NOT NULL DEFAULT 1 CHECK (members BETWEEN 1 AND 5);
        ALTER TABLE tickets ADD COLUMN booked_at TEXT;
        ALTER TABLE tickets ADD COLUMN nik_hash TEXT;
        ALTER TABLE tickets ADD COLUMN phone TEXT;
        CREATE INDEX tickets_family ON tickets (day, origin_service) WHERE members > 1;
        CREATE INDEX tickets_family_waiting ON tickets (service, priority, queued_at)
            WHERE status = 'waiting' AND members > 1;
        CREATE INDEX tickets_nik ON tickets (day, origin_service, nik_hash) WHERE nik_hash IS NOT NULL;
        CREATE INDEX tickets_booked ON tickets (status, service, booked_at) WHERE booked_at IS NOT NULL;
        CREATE TABLE bookings (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            token TEXT NOT NULL UNIQUE,
            service TEXT NOT NULL,
            day TEXT NOT NULL,
            slot_start TEXT NOT NULL,
            slot_end TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'booked'
                CHECK (status IN ('booked', 'checked_in', 'cancelled', 'expired')),
            members INTEGER NOT NULL DEFAULT 1 CHECK (members BETWEEN 1 AND 5),
            nik_hash TEXT,
            phone TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            idempotency_key TEXT UNIQUE,
            ticket_id INTEGER REFERENCES tickets(id),
            changed_at TEXT
        );
        CREATE INDEX bookings_day ON bookings (day, service, status, slot_start);
        CREATE INDEX bookings_nik ON bookings (day, service, nik_hash) WHERE nik_hash IS NOT NULL;
        CREATE TABLE slip_jobs (
            id INTEGER PRIMARY KEY,
            booking_id INTEGER NOT NULL REFERENCES bookings(id),
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'printed', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            printed_at TEXT,
            last_error TEXT
        );
        CREATE INDEX slip_jobs_pending ON slip_jobs (status, id);
        CREATE TABLE disruptions (
            id INTEGER PRIMARY KEY,
            service TEXT,
            reason TEXT NOT NULL CHECK (reason IN ('blanko', 'network', 'power', 'equipment', 'staff', 'other')),
            note TEXT NOT NULL DEFAULT '',
            since TEXT NOT NULL,
            until TEXT,
            started_by TEXT NOT NULL,
            ended_at TEXT,
            ended_by TEXT
        );
        CREATE INDEX disruptions_active ON disruptions (ended_at, service);
        """
    ):
        db.execute(statement)


@migrations(name="0016_sms")
def sms(db: Database) -> None:
    """SMS through gammu-smsd: every message in and out (an outgoing one is committed here before its outbox
    file is written), and the phone numbers residents gave for "your turn is near" messages, kept until their
    ticket ends. An incoming message keeps only its command keyword: never a NIK, a nomor KK or a name."""
    for statement in _split(
        """
        CREATE TABLE sms_messages (
            id INTEGER PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            phone TEXT NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('answered', 'ignored', 'limited',
                                                   'pending', 'queued', 'sent', 'failed', 'dropped')),
            day TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            file TEXT,
            last_error TEXT,
            dedupe TEXT UNIQUE,
            ticket_id INTEGER
        );
        CREATE INDEX sms_messages_status ON sms_messages (status, next_attempt_at);
        CREATE INDEX sms_messages_day ON sms_messages (day, direction, status);
        CREATE INDEX sms_messages_phone ON sms_messages (phone, direction, created_at);
        CREATE TABLE sms_optins (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
            phone TEXT NOT NULL,
            created_at TEXT NOT NULL,
            near_sent INTEGER NOT NULL DEFAULT 0,
            called_sent INTEGER NOT NULL DEFAULT 0
        );
        """
    ):
        db.execute(statement)


@migrations(name="0017_complaints")
def complaints(db: Database) -> None:
    """Complaints (pengaduan): a tracking code numbered per year, the holder's token, a deadline fixed when
    received, and the office's answer (or its SP4N-LAPOR! reference). A complaint from a phone keeps only a
    keyed hash of the ticket it came with, to count complaints per ticket."""
    for statement in _split(
        """
        CREATE TABLE complaints (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            year INTEGER NOT NULL,
            seq INTEGER NOT NULL CHECK (seq > 0),
            token TEXT NOT NULL UNIQUE,
            category TEXT NOT NULL CHECK (category IN ('info', 'service', 'conduct', 'other')),
            text TEXT NOT NULL,
            phone TEXT,
            channel TEXT NOT NULL CHECK (channel IN ('kiosk', 'phone', 'staff')),
            received_at TEXT NOT NULL,
            received_by TEXT,
            due_at TEXT NOT NULL,
            ticket_hash TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
            answer TEXT,
            lapor_ref TEXT,
            answered_at TEXT,
            answered_by TEXT,
            UNIQUE (year, seq)
        );
        CREATE INDEX complaints_inbox ON complaints (status, due_at);
        CREATE INDEX complaints_ticket ON complaints (ticket_hash) WHERE ticket_hash IS NOT NULL;
        """
    ):
        db.execute(statement)


@migrations(name="0018_regency_outbox")
def regency_outbox(db: Database) -> None:
    """The regency outbox: each event the office sends to the regency, in order (seq), with its stable id;
    ``sent_at`` is set once the regency answered 200. Nothing personal is stored here (number, service,
    counter, disruption code and reason only)."""
    for statement in _split(
        """
        CREATE TABLE regency_outbox (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            data TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX regency_outbox_pending ON regency_outbox (seq) WHERE sent_at IS NULL;
        """
    ):
        db.execute(statement)


# What the office sends the regency, by the ticket log's action (a reprint or a hold is not sent).
_REGENCY_TICKET_KINDS = {
    "issue": "ticket_issued",
    "call": "ticket_called",
    "recall": "ticket_recalled",
    "serve": "ticket_served",
    "done": "ticket_done",
    "no_show": "ticket_no_show",
    "cancel": "ticket_cancelled",
    "transfer": "ticket_transferred",
    "requeue": "ticket_requeued",
    "expire": "ticket_expired",
}


@migrations(name="0019_regency_outbox_in_the_same_transaction")
def regency_outbox_in_the_same_transaction(db: Database) -> None:
    """The regency outbox is written by triggers, inside the very transaction of the change it reports.

    A bus subscriber wrote it after the change had committed, so a kill between the two lost the event for
    good. Now the ticket log, a disruption, a closed date and a service opened or closed each add their
    outbox row in their own transaction, only while app_state 'regency_enabled' is '1' (set at start-up from
    [regency] url). A row the regency refused as bad data is quarantined (kept, never sent again, counted).
    Only what the regency needs is copied: a ticket's number, service, counter and priority, never its token.
    """
    kinds = " ".join(f"WHEN '{action}' THEN '{kind}'" for action, kind in _REGENCY_TICKET_KINDS.items())
    actions = ", ".join(f"'{action}'" for action in _REGENCY_TICKET_KINDS)
    enabled = "(SELECT value FROM app_state WHERE key = 'regency_enabled') = '1'"
    new_id = "lower(hex(randomblob(16)))"
    utc_now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    for statement in _split(
        f"""
        ALTER TABLE regency_outbox ADD COLUMN quarantined_at TEXT;
        ALTER TABLE regency_outbox ADD COLUMN quarantine_reason TEXT;
        DROP INDEX regency_outbox_pending;
        CREATE INDEX regency_outbox_pending ON regency_outbox (seq) WHERE sent_at IS NULL AND quarantined_at IS NULL;
        CREATE INDEX regency_outbox_quarantined ON regency_outbox (seq) WHERE quarantined_at IS NOT NULL;
        CREATE TRIGGER regency_ticket_event AFTER INSERT ON ticket_events
        WHEN {enabled} AND NEW.action IN ({actions})
        BEGIN INSERT INTO regency_outbox (id, kind, at, data)
            SELECT {new_id}, CASE NEW.action {kinds} END, NEW.at,
                   CASE WHEN NEW.action = 'issue'
                        THEN json_object('number', t.number, 'service', NEW.service,
                                         'priority', json(CASE WHEN t.priority THEN 'true' ELSE 'false' END))
                        ELSE json_object('number', t.number, 'service', NEW.service, 'counter', NEW.counter_id)
                   END
            FROM tickets t WHERE t.id = NEW.ticket_id;
        END;
        CREATE TRIGGER regency_disruption_started AFTER INSERT ON disruptions WHEN {enabled}
        BEGIN INSERT INTO regency_outbox (id, kind, at, data) VALUES ({new_id}, 'disruption', NEW.since,
                json_object('code', NEW.reason || '-' || NEW.id, 'service', NEW.service, 'reason', NEW.reason,
                            'until', NEW.until, 'active', json('true')));
        END;
        CREATE TRIGGER regency_disruption_changed AFTER UPDATE OF until, ended_at ON disruptions WHEN {enabled}
        BEGIN INSERT INTO regency_outbox (id, kind, at, data) VALUES ({new_id}, 'disruption',
                coalesce(NEW.ended_at, {utc_now}),
                json_object('code', NEW.reason || '-' || NEW.id, 'service', NEW.service, 'reason', NEW.reason,
                            'until', NEW.until,
                            'active', json(CASE WHEN NEW.ended_at IS NULL THEN 'true' ELSE 'false' END)));
        END;
        CREATE TRIGGER regency_closed_date_set AFTER INSERT ON closed_dates WHEN {enabled}
        BEGIN INSERT INTO regency_outbox (id, kind, at, data) VALUES ({new_id}, 'closure', NEW.created_at,
                json_object('day', NEW.day, 'service', NULL, 'open', json('false'), 'reason', NEW.reason));
        END;
        CREATE TRIGGER regency_closed_date_changed AFTER UPDATE ON closed_dates WHEN {enabled}
        BEGIN INSERT INTO regency_outbox (id, kind, at, data) VALUES ({new_id}, 'closure', NEW.created_at,
                json_object('day', NEW.day, 'service', NULL, 'open', json('false'), 'reason', NEW.reason));
        END;
        CREATE TRIGGER regency_closed_date_removed AFTER DELETE ON closed_dates WHEN {enabled}
        BEGIN INSERT INTO regency_outbox (id, kind, at, data) VALUES ({new_id}, 'closure', {utc_now},
                json_object('day', OLD.day, 'service', NULL, 'open', json('true'), 'reason', NULL));
        END;
        CREATE TRIGGER regency_service_opened_or_closed AFTER INSERT ON service_override_log
        WHEN {enabled} AND NEW.changes LIKE '%open%'
        BEGIN INSERT INTO regency_outbox (id, kind, at, data) VALUES ({new_id}, 'closure', NEW.at,
                json_object('day', NEW.day, 'service', NEW.service,
                            'open', json(CASE WHEN NEW.open = 0 THEN 'false' ELSE 'true' END), 'reason', NULL));
        END;
        """
    ):
        db.execute(statement)


@migrations(name="0020_complaint_receipts")
def complaint_receipts(db: Database) -> None:
    """The receipt a kiosk prints for a complaint (its code, dates and QR link only: never its text or phone),
    queued with the complaint and printed by the print worker after the tickets waiting."""
    for statement in _split(
        """
        CREATE TABLE complaint_receipts (
            id INTEGER PRIMARY KEY,
            complaint_id INTEGER NOT NULL REFERENCES complaints(id),
            lang TEXT NOT NULL DEFAULT 'id' CHECK (lang IN ('id', 'en')),
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'printed', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            printed_at TEXT,
            last_error TEXT
        );
        CREATE INDEX complaint_receipts_pending ON complaint_receipts (status, id);
        """
    ):
        db.execute(statement)
