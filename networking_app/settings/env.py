"""Strict reading of settings from the environment.

Every value may also be given as a file: ``NAME_FILE=/run/secrets/name`` (Docker and
Kubernetes secrets). A value that does not parse stops start-up with a message that names
the variable, instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNSET = object()


class Env:
    def __init__(self, environ_map: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ_map is None else environ_map

    def raw(self, name: str) -> str | None:
        """The variable's value, read from ``NAME_FILE`` when that is set."""
        file_name = self._environ.get(f"{name}_FILE")
        if file_name:
            try:
                with open(file_name, encoding="utf-8") as fh:
                    return fh.read().strip()
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"{name}_FILE points at {file_name!r}, which cannot be read: {exc.strerror}."
                ) from exc
        value = self._environ.get(name)
        if value is None:
            return None
        return value.strip()

    def is_set(self, name: str) -> bool:
        return self.raw(name) not in (None, "")

    def _missing(self, name: str, default: Any) -> Any:
        if default is _UNSET:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default

    def str(self, name: str, default: Any = _UNSET) -> Any:
        value = self.raw(name)
        if value in (None, ""):
            return self._missing(name, default)
        return value

    def bool(self, name: str, default: Any = _UNSET) -> Any:
        value = self.raw(name)
        if value in (None, ""):
            return self._missing(name, default)
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
        )

    def int(self, name: str, default: Any = _UNSET, *, minimum: int | None = None) -> Any:
        value = self.raw(name)
        if value in (None, ""):
            return self._missing(name, default)
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def number(self, name: str, default: Any = _UNSET, *, minimum: float = 0) -> Any:
        value = self.raw(name)
        if value in (None, ""):
            return self._missing(name, default)
        try:
            number = float(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
        if not number >= minimum:  # NaN too
            raise ImproperlyConfigured(f"{name}={value} must be at least {minimum:g}.")
        return number

    def list(self, name: str, default: Any = _UNSET) -> Any:
        """A comma-separated list; blank items are dropped."""
        value = self.raw(name)
        if value is None:
            return self._missing(name, default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, choices: list[str], default: Any = _UNSET) -> Any:
        value = self.raw(name)
        if value in (None, ""):
            return self._missing(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
        return value

    def time_zone(self, name: str, default: Any = _UNSET) -> Any:
        value = self.str(name, default)
        if value not in zoneinfo.available_timezones():
            raise ImproperlyConfigured(f"{name}={value!r} is not an IANA time zone name.")
        return value

    def db_url(self, name: str, default: Any = _UNSET) -> dict:
        return parse_db_url(name, self.str(name, default))

    def email_url(self, name: str) -> dict:
        value = self.str(name)
        try:
            config = environ.Env.email_url_config(value)
        except Exception as exc:
            raise ImproperlyConfigured(f"{name} is not a valid email URL: {exc}") from None
        if not config.get("EMAIL_BACKEND"):
            raise ImproperlyConfigured(
                f"{name}: unsupported scheme in {redact_url(value)!r}; "
                "use smtp://, smtp+tls:// or smtp+ssl://."
            )
        return config

    def url(self, name: str, schemes: tuple[str, ...], default: Any = _UNSET) -> Any:
        value = self.str(name, default)
        scheme = value.split(":", 1)[0] if ":" in value else ""
        if scheme not in schemes:
            raise ImproperlyConfigured(
                f"{name}={redact_url(value)!r} must start with one of: "
                + ", ".join(f"{s}://" for s in schemes)
            )
        return value


SUPPORTED_DATABASE_ENGINES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}


def parse_db_url(name: str, value: str) -> dict:
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if config.get("ENGINE") not in SUPPORTED_DATABASE_ENGINES:
        raise ImproperlyConfigured(
            f"{name}: unsupported database scheme in {redact_url(value)!r}; "
            "use postgres://user:password@host:5432/name or sqlite:///path."
        )
    return config


def redact_url(url: str) -> str:
    """The URL with any password replaced, so error messages never leak it."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
