"""Run every benchmark in bench/ (files named bench_*.py), each in its own process.

`make bench` runs this; `make test` never does. Each benchmark rewrites its own section of
bench/RESULTS.md with the machine and the date. Benchmarks need the local PostgreSQL
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432) and create their own database.
Run one with `make bench ONLY=contacts`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    only = os.environ.get("ONLY", "")
    benches = sorted(p for p in HERE.glob("bench_*.py") if only in p.stem)
    if not benches:
        print("No benchmark matches.")
        return 0
    failures = 0
    for path in benches:
        print(f"== {path.stem}", flush=True)
        result = subprocess.run([sys.executable, str(path)], cwd=HERE, check=False)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
