"""The package's layers, read from the imports of every module (tests/layers.py): none reaches up, no circles.

domain (pure rules) < storage < devices, files < office (use cases) < web < tools. A layer may import those
below it; domain imports no web, database or printer library (but for the one exception in tests/layers.py:
kiosk/domain/settings.py checks printer values with the `printer` package's pure helpers).
"""

from __future__ import annotations

from pathlib import Path

from tests import layers

ROOT = Path(__file__).resolve().parent.parent
KIOSK = ROOT / "kiosk"


def test_no_layer_reaches_up():
    assert layers.violations(KIOSK) == []


def test_no_import_circles():
    assert layers.circles(KIOSK) == []
    assert layers.circles(ROOT / "printer") == []


def test_no_circle_or_reach_up_even_through_type_annotations():
    # Use cases and subscribers take an Office (kiosk/office/context.py), not the Runtime that composes them:
    # a module naming another's type still depends on it, so no circle runs through `if TYPE_CHECKING:` either.
    assert layers.circles(KIOSK, with_types=True) == []
    assert layers.circles(ROOT / "printer", with_types=True) == []
    assert layers.violations(KIOSK, with_types=True) == []


def test_every_module_is_read():
    modules = layers.graph(KIOSK)
    assert {"kiosk.domain.queue", "kiosk.storage.db", "kiosk.office.bus", "kiosk.web.api", "kiosk.tools.bench"} <= set(
        modules
    )
    assert "kiosk.storage.tickets" in layers.edges(KIOSK)["kiosk.office.tickets"]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root / "kiosk"


def test_the_check_reports_each_layer_that_reaches_up(tmp_path):
    package = _tree(
        tmp_path,
        {
            "kiosk/__init__.py": "",
            "kiosk/paths.py": "",
            "kiosk/domain/__init__.py": "",
            "kiosk/domain/queue.py": (
                "from flask import jsonify\n"
                "import sqlite3\n"
                "from kiosk.paths import STATIC_DIR\n"
                "from kiosk.domain import words\n"
                "def later():\n"
                "    from kiosk.storage import db\n"
            ),
            "kiosk/domain/words.py": "",
            "kiosk/domain/settings.py": "from printer.ticket import qr_fits\n",  # the documented exception
            "kiosk/domain/status.py": "from printer import render_ticket\n",  # not an exception
            "kiosk/storage/__init__.py": "",
            "kiosk/storage/db.py": (
                "from typing import TYPE_CHECKING\n"
                "from kiosk.domain import queue\n"
                "if TYPE_CHECKING:\n"
                "    from kiosk.office.runtime import Runtime\n"
            ),  # never runs: allowed
            "kiosk/storage/tickets.py": "from ..office import runtime\n",  # relative imports are read too
            "kiosk/office/__init__.py": "",
            "kiosk/office/runtime.py": "from kiosk.storage import db\nfrom kiosk.web.api import bp\n",
            "kiosk/web/__init__.py": "",
            "kiosk/web/api.py": "import kiosk.tools.bench\nfrom kiosk.office import runtime\n",
            "kiosk/tools/__init__.py": "",
            "kiosk/tools/bench.py": "from kiosk.web import api\nfrom kiosk import create_app\n",
        },
    )

    assert layers.violations(package) == [
        "kiosk.domain.queue:1 imports flask.jsonify (domain may not use flask)",
        "kiosk.domain.queue:2 imports sqlite3 (domain may not use sqlite3)",
        "kiosk.domain.queue:6 imports kiosk.storage.db (domain may not use storage)",
        "kiosk.domain.status:1 imports printer.render_ticket (domain may not use printer)",
        "kiosk.office.runtime:2 imports kiosk.web.api.bp (office may not use web)",
        "kiosk.storage.tickets:1 imports kiosk.office.runtime (storage may not use office)",
        "kiosk.web.api:1 imports kiosk.tools.bench (web may not use tools)",
    ]
    assert layers.circles(package) == [
        ["kiosk.domain.queue", "kiosk.storage.db"],  # through the function's import
        ["kiosk.office.runtime", "kiosk.tools.bench", "kiosk.web.api"],
    ]


def test_a_circle_through_a_function_import_counts_and_one_under_type_checking_does_not(tmp_path):
    package = _tree(
        tmp_path,
        {
            "kiosk/__init__.py": "",
            "kiosk/storage/__init__.py": "",
            "kiosk/storage/db.py": "from kiosk.storage.migrations import migrations\n",
            "kiosk/storage/migrations.py": "def key():\n    from kiosk.storage.db import KEY\n",
            "kiosk/office/__init__.py": "",
            "kiosk/office/runtime.py": "from kiosk.office import printing\n",
            "kiosk/office/printing.py": (
                "import typing\nif typing.TYPE_CHECKING:\n    from kiosk.office.runtime import Runtime\n"
            ),
        },
    )
    assert layers.violations(package) == []
    assert layers.circles(package) == [["kiosk.storage.db", "kiosk.storage.migrations"]]
    # ... and counted when type annotations are asked for
    assert layers.circles(package, with_types=True) == [
        ["kiosk.office.printing", "kiosk.office.runtime"],
        ["kiosk.storage.db", "kiosk.storage.migrations"],
    ]
