"""Where packaged resources live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return ``kiosk/<name>`` when installed from a wheel, else the checkout's top-level ``<name>``."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


def packaged_config() -> Path:
    """Return the demo office configuration shipped with the package."""
    return resource_dir("config") / "kiosk.toml"


TEMPLATES_DIR = resource_dir("templates")
STATIC_DIR = PACKAGE_DIR / "static"
