"""Run a Python script with its clock moved as far as the test process's: TEST_CLOCK_SHIFT
seconds, set by tests/notifications/helpers.py when the suite runs under TEST_CLOCK, so a real
worker process the tests start lives at the same moved time as they do.

    python tests/moved_clock.py .venv/bin/celery -A networking_app worker ...
"""

from __future__ import annotations

import os
import runpy
import sys
import time

import time_machine

if __name__ == "__main__":
    shift = float(os.environ.get("TEST_CLOCK_SHIFT", "0"))
    if shift:
        time_machine.travel(time.time() + shift, tick=True).start()
        time.time()  # a ticking travel starts ticking at its first reading: now, not later
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))  # as if run directly
    runpy.run_path(sys.argv[0], run_name="__main__")
