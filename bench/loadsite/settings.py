"""Settings for load benchmarks: the project's own settings with DEBUG off, plus a bench-only
URLconf that adds the bare view. Never used outside bench/ (see bench/load.py)."""

from networking_app.settings.base import *  # noqa: F403
from networking_app.settings.base import BASE_DIR, CACHES, LOGGING, REDIS_URL, TEMPLATES, env

DEBUG = False
ROOT_URLCONF = "bench.loadsite.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "loadsite" / "templates"]
# One log line per request would measure the terminal, not the app.
LOGGING["root"]["level"] = "WARNING"

# Production caches in Redis (rendered calendar feeds, rate limits): so does the benchmark.
# If Redis is down the cache misses (networking_app.core.cache) and pages still answer.
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "networking_app.core.cache.ResilientRedisCache",
            "LOCATION": env.str("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
            "KEY_PREFIX": "rapport-bench",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
# Each run (and each of its databases) keys its entries apart (bench/bench_load.py): ids start
# again at 1 in a new database, and an earlier run's entries would otherwise answer for them.
CACHES["default"]["KEY_PREFIX"] = env.str(
    "BENCH_CACHE_PREFIX", CACHES["default"].get("KEY_PREFIX", "rapport-bench")
)
