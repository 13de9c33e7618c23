"""The line every benchmark prints under its results: where and with what it ran."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

#: The packages whose versions every line names.
CORE_PACKAGES = ("pyoxigraph", "pyshacl", "rdflib")


def environment_line(packages: Sequence[str] = CORE_PACKAGES) -> str:
    """Date, kernel, CPU, cores, Python and the versions of ``packages``, on one line."""

    def command(*args: str) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = []
    for package in packages:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return (
        f"{command('date', '-u')} · {command('uname', '-srm')} · {cpu} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · " + ", ".join(versions)
    )
