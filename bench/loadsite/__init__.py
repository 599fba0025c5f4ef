"""A benchmark-only Django site: the real project plus one bare page (bench/load.py)."""
