"""The spoken catalogue is rendered ahead and kept; espeak-ng runs at most MAX_RENDERS at once."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import requests

from kiosk.devices.speech import MAX_CACHED_PHRASES, MAX_RENDERS, Speech
from tests.support import LiveServer, make_app, wait_until

ESPEAK = shutil.which("espeak-ng")
pytestmark = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")


def counting_espeak(folder: Path, pause: float = 0.0) -> tuple[Path, Path]:
    """A real espeak-ng behind a script that notes when each process starts and ends."""
    log = folder / "espeak.log"
    script = folder / "espeak-ng"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "start $$" >> "{log}"\n' + (f"sleep {pause}\n" if pause else "") + f'"{ESPEAK}" "$@"\n'
        "status=$?\n"
        f'echo "end $$" >> "{log}"\n'
        "exit $status\n"
    )
    script.chmod(0o755)
    log.touch()
    return script, log


def copying_espeak(folder: Path) -> tuple[Path, Path]:
    """A stand-in for espeak-ng that writes one WAV rendered once by the real one, noting each process.

    The catalogue's ~1,300 real renders take minutes on a busy 2-core machine; what is counted
    here is processes, so each is a real process that writes a real WAV, only the same one.
    """
    sample = folder / "sample.wav"
    Speech(folder / "sample-cache")._run_espeak("satu", sample)
    log = folder / "espeak.log"
    script = folder / "espeak-ng"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "start $$" >> "{log}"\n'
        'while [ $# -gt 0 ]; do if [ "$1" = "-w" ]; then out="$2"; fi; shift; done\n'
        'while IFS= read -r line || [ -n "$line" ]; do :; done\n'  # stdin read by the shell: no process of its own
        f'cp "{sample}" "$out"\n'
        f'echo "end $$" >> "{log}"\n'
    )
    script.chmod(0o755)
    log.touch()
    return script, log


def starts(log: Path) -> int:
    return sum(1 for line in log.read_text().splitlines() if line.startswith("start"))


def most_at_once(log: Path) -> int:
    running = most = 0
    for line in log.read_text().splitlines():
        running += 1 if line.startswith("start") else -1
        most = max(most, running)
    return most


def test_concurrent_requests_never_run_more_espeak_processes_than_the_bound(tmp_path):
    script, log = counting_espeak(tmp_path, pause=0.3)
    speech = Speech(tmp_path / "cache", espeak=str(script))
    assert speech.engine == "espeak-ng"  # the probe: one process
    results: list[bytes | None] = []
    threads = [threading.Thread(target=lambda n=n: results.append(speech.wav(f"nomor {n}"))) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 8 and all(audio and audio[:4] == b"RIFF" for audio in results)
    assert starts(log) == 9
    assert most_at_once(log) <= MAX_RENDERS


def test_the_catalogue_is_pinned_while_announcements_are_pruned(tmp_path):
    speech = Speech(tmp_path)
    catalogue = [f"kalimat {n}" for n in range(3)]
    speech.warm(catalogue)
    pinned = {speech._cache_path(text) for text in catalogue}
    assert all(path.exists() for path in pinned)
    for index in range(MAX_CACHED_PHRASES):  # a busy week of call announcements
        (tmp_path / f"{index:064x}.wav").write_bytes(b"old")
    assert speech.wav("Nomor antrean A, satu, silakan menuju loket satu")[:4] == b"RIFF"
    assert all(path.exists() for path in pinned)
    assert len(list(tmp_path.glob("*.wav"))) == MAX_CACHED_PHRASES + len(pinned)


def test_without_espeak_warming_is_a_no_op_and_the_fallback_stays(tmp_path):
    speech = Speech(tmp_path, espeak=str(tmp_path / "missing-espeak-ng"))
    assert speech.warm(["satu", "dua"]) == 0
    assert speech.warmed.is_set() and speech.wav("satu") is None and speech.engine == "browser"


@pytest.mark.slow  # ~1,300 stand-in espeak-ng processes; it counts them and asserts no time
@pytest.mark.timeout(600)
def test_after_warm_up_every_catalogue_key_is_served_without_running_espeak(tmp_path):
    script, log = copying_espeak(tmp_path)
    app = make_app(tmp_path, printer__type="none", speech_warmup=0.0)
    runtime = app.extensions["kiosk"]
    runtime.speech = Speech(tmp_path / "speech-cache-counted", espeak=str(script))
    server = LiveServer(app).start()
    try:
        wait_until(runtime.speech.warmed.is_set, timeout=600, interval=0.5)
        assert most_at_once(log) <= MAX_RENDERS
        keys = server.get("/api/speech").json()["keys"]
        assert len(keys) > MAX_CACHED_PHRASES  # the catalogue is larger than the announcements' cache
        warmed = starts(log)
        session = requests.Session()
        for _ in range(2):  # cycling through the whole catalogue, twice
            for key in keys:
                answer = session.get(f"{server.url}/api/speech/{key}.wav", timeout=30)
                assert answer.status_code == 200 and answer.content[:4] == b"RIFF", key
        assert starts(log) == warmed  # not one espeak-ng process for a request
    finally:
        server.stop()


def test_rendering_ahead_waits_while_the_office_is_busy(tmp_path):
    script, log = counting_espeak(tmp_path)
    speech = Speech(tmp_path / "cache", espeak=str(script))
    assert speech.engine == "espeak-ng"  # the probe: one process
    answers = iter([True, True, False])
    asked = []

    def busy() -> bool:
        answer = next(answers, False)
        asked.append((answer, starts(log)))
        return answer

    assert speech.warm(["satu", "dua"], pause=busy, pause_seconds=0.01) == 2
    assert asked[:3] == [(True, 1), (True, 1), (False, 1)]  # nothing rendered while busy (1: the probe)
    assert starts(log) == 3


def test_the_office_is_busy_for_speech_warm_up_while_its_queue_changes(tmp_path):
    app = make_app(tmp_path, printer__type="none")
    runtime = app.extensions["kiosk"]
    busy = runtime.queue_changing()
    assert busy() is False
    client = app.test_client()
    assert (
        client.post("/api/tickets", json={"service": "REKAM"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code
        == 201
    )
    assert busy() is True  # a number was issued since the last question
    assert busy() is False
