"""Typed readers for environment variables.

Settings come only from the environment (see ``.env.example``). A bad value stops
start-up with a message naming the variable, instead of a surprise later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


class EnvError(ValueError):
    """An environment variable holds a value of the wrong shape."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get(name)


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise EnvError(f"{name} must be a boolean (true/false, 1/0, yes/no), got {value!r}")


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise EnvError(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name} must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str] | None = None, environ: Mapping[str, str] | None = None) -> list[str]:
    """Comma-separated list; blanks dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """A secret given directly or, for container secrets, as ``<NAME>_FILE``."""
    file_path = _raw(f"{name}_FILE", environ)
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE points to {file_path!r}, which cannot be read: {exc}") from None
    return env_str(name, default, environ)
