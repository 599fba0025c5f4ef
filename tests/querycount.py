"""The one way tests count queries.

- `capture_queries()`: the SQL of every query run inside the block (a list, filled on exit);
- `assert_num_queries(n)`: the block runs exactly n queries (`at_most=True`: no more than n);
- `assert_queries_stable(get_page, add_rows)`: a page costs the same number of queries at two
  data sizes, so an N+1 shows up as a failure (zulip's assert_database_query_count).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

# Query counts measure what a page computes: the caches of computed pages are off (a hit
# costs nothing; the caches have their own tests).
PAGE_CACHES_OFF = {
    "PRIVATE_PAGE_CACHE_SECONDS": 0,
    "DIRECTORY_CACHE_SECONDS": 0,
    "DASHBOARD_CACHE_SECONDS": 0,
}


@contextlib.contextmanager
def capture_queries() -> Iterator[list[str]]:
    """The SQL of each query the block runs, in order (the list is filled when it ends)."""
    sql: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield sql
    sql.extend(query["sql"] for query in context.captured_queries)


@contextlib.contextmanager
def assert_num_queries(expected: int, *, at_most: bool = False) -> Iterator[list[str]]:
    """The block runs exactly `expected` queries (no more than that if `at_most`)."""
    with capture_queries() as sql:
        yield sql
    ok = len(sql) <= expected if at_most else len(sql) == expected
    if not ok:
        listing = "\n".join(f"{n}. {query}" for n, query in enumerate(sql, 1))
        bound = "at most " if at_most else ""
        raise AssertionError(f"expected {bound}{expected} queries, ran {len(sql)}:\n{listing}")


def assert_queries_stable(
    get_page: Callable[[], object],
    add_rows: Callable[[int], object],
    *,
    small: int = 2,
    large: int = 12,
    page_caches: bool = False,
) -> int:
    """Render the page with `small` rows, then with `large`; the query counts must match.

    `add_rows(n)` adds n more rows of whatever the page lists. Returns the count. The caches
    of computed pages are off unless `page_caches`.
    """
    if page_caches:  # measure the cache's own hits instead
        return _assert_queries_stable(get_page, add_rows, small=small, large=large)
    with override_settings(**PAGE_CACHES_OFF):
        return _assert_queries_stable(get_page, add_rows, small=small, large=large)


def _page_queries(get_page: Callable[[], object]) -> list[str]:
    with capture_queries() as sql:
        result = get_page()
    status = getattr(result, "status_code", 200)
    assert status == 200, f"expected a 200 page, got {status}"
    return sql


def _assert_queries_stable(get_page, add_rows, *, small: int, large: int) -> int:
    add_rows(small)
    get_page()  # warm caches (content types, sessions) so both counts compare like for like
    small_count = len(_page_queries(get_page))
    add_rows(large - small)
    large_sql = _page_queries(get_page)
    if len(large_sql) != small_count:
        extra = "\n".join(large_sql[small_count:][:20])
        raise AssertionError(
            f"{small_count} queries with {small} rows but {len(large_sql)} with {large} rows "
            f"(an N+1). Extra queries:\n{extra}"
        )
    return small_count
