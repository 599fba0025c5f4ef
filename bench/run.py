"""Run every benchmark in bench/ (files named bench_*.py with a main() function).

`make bench` runs this; `make test` never does. Each benchmark appends its results to
bench/RESULTS.md with the machine and the date.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    benches = sorted(HERE.glob("bench_*.py"))
    if not benches:
        print("No benchmarks yet: add bench/bench_<name>.py with a main() function.")
        return 0
    for path in benches:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
