"""Typed readers of environment variables, so every setting has one obvious default."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable as a string, or the default when unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; refuse values that are neither true nor false."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of stripped, non-empty items."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, base_dir: str) -> dict:
    """Return a Django DATABASES entry for a sqlite:/// or postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = unquote(url.split(":///", 1)[1]) if ":///" in url else ""
        if not path:
            raise ValueError("DATABASE_URL for sqlite needs a file path: sqlite:///path/to/file.sqlite3")
        name = path if os.path.isabs(path) else os.path.join(base_dir, path)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in {"postgres", "postgresql"}:
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        pool = _pool_options(options)
        if pool:
            options["pool"] = pool
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            # A pool hands connections out itself; otherwise keep each one for conn_max_age seconds.
            "CONN_MAX_AGE": int(options.pop("conn_max_age", 0 if pool else 60)),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite or postgres)")


def _pool_options(options: dict[str, str]) -> dict | bool:
    """Pop pool=true, pool_min_size=N, pool_max_size=N from the URL options: psycopg's connection pool."""
    enabled = options.pop("pool", "false").strip().lower() in _TRUE
    sizes = {key.removeprefix("pool_"): int(options.pop(key)) for key in ("pool_min_size", "pool_max_size")
             if key in options}
    if sizes:
        return sizes
    return enabled
