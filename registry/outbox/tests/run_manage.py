"""Run manage.py for a worker or scheduler a test starts, on the test's clock.

With REGISTRY_TEST_CLOCK_SHIFT_DAYS set (the suite's moved-clock pass) the process clock moves as far
ahead as the test's, so both agree on "now".
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta

if __name__ == "__main__":
    days = os.environ.get("REGISTRY_TEST_CLOCK_SHIFT_DAYS", "").strip()
    if days:
        import time_machine

        time_machine.travel(datetime.now(UTC) + timedelta(days=int(days)), tick=True).start()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *sys.argv[1:]])
