"""The pure modules stay importable without Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_calendar_and_identifier_modules_import_without_django():
    code = (
        "import sys; import registry.identifiers, registry.workdays.core, registry.workdays.seed, "
        "registry.workdays.textformat; assert 'django' not in sys.modules, 'django was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])
