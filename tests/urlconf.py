"""Every route of the URLconf, for the access table."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: frozenset[str]


def iter_routes(resolver=None, prefix="", namespace="", params=frozenset()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        entry_params = params | frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from iter_routes(entry, prefix + str(entry.pattern), ns, entry_params)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            pattern = prefix + str(entry.pattern)
            yield Route(name or f"<unnamed {pattern}>", pattern, entry_params)


def all_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for route in iter_routes():
        routes.setdefault(route.name, route)
    return routes
