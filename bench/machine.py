"""What the figures were measured on."""

import os
import platform
import sys
from pathlib import Path
from typing import Any

from bench import pg


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def describe() -> dict[str, Any]:
    """Cores, memory, CPU model, PostgreSQL and Python versions, load at this moment."""
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "cpu": _first("/proc/cpuinfo", "model name"),
        "postgresql": pg.server_version(),
        "postgresql_settings": pg.settings_summary(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }
