"""Query-count assertions: a page must cost the same number of queries at two data sizes."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

# Query counts measure what a page computes: the caches of computed pages are off (a hit
# costs nothing; the caches have their own tests).
PAGE_CACHES_OFF = {
    "PRIVATE_PAGE_CACHE_SECONDS": 0,
    "DIRECTORY_CACHE_SECONDS": 0,
}


def count_queries(fn: Callable[[], object]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    status = getattr(result, "status_code", 200)
    assert status == 200, f"expected a 200 page, got {status}"
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_queries_do_not_grow(
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
        return _assert_queries_do_not_grow(get_page, add_rows, small=small, large=large)
    with override_settings(**PAGE_CACHES_OFF):
        return _assert_queries_do_not_grow(get_page, add_rows, small=small, large=large)


def _assert_queries_do_not_grow(get_page, add_rows, *, small: int, large: int) -> int:
    add_rows(small)
    get_page()  # warm caches (content types, sessions) so both counts compare like for like
    small_count, _ = count_queries(get_page)
    add_rows(large - small)
    large_count, large_sql = count_queries(get_page)
    if large_count != small_count:
        extra = "\n".join(large_sql[small_count:][:20])
        raise AssertionError(
            f"{small_count} queries with {small} rows but {large_count} with {large} rows "
            f"(an N+1). Extra queries:\n{extra}"
        )
    return small_count
