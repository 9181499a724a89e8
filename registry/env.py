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


def _test_name(name: str) -> str:
    """Return the file of the test database of a SQLite database file."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-test.{suffix}" if dot else f"{name}-test"


def parse_database_url(url: str, base_dir: str) -> dict:
    """Return a Django DATABASES entry for a sqlite:/// or postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = unquote(url.split(":///", 1)[1]) if ":///" in url else ""
        if not path:
            raise ValueError("DATABASE_URL for sqlite needs a file path: sqlite:///path/to/file.sqlite3")
        name = path if os.path.isabs(path) else os.path.join(base_dir, path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Concurrent requests wait for each other instead of failing with "database is locked": WAL lets
            # readers run beside the one writer, a write transaction takes the lock when it begins
            # (BEGIN IMMEDIATE, so no reader-turned-writer deadlock), and a waiting writer retries for 20 s.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests run on a file beside it (not in memory), so live-server threads use real connections.
            "TEST": {"NAME": _test_name(name)},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        # Statements of a server-side binding cursor are prepared on their first run on a connection (the
        # QR landing page's read, registry.certificates.public); the ORM's cursors bind on the client and
        # never prepare. prepare_threshold=off turns it off (a pooler that cannot keep prepared statements).
        threshold = options.get("prepare_threshold", "0").strip().lower()
        options["prepare_threshold"] = None if threshold in {"", "off", "none"} else int(threshold)
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


def parse_cache_url(url: str, *, key_prefix: str = "") -> dict:
    """Return a Django CACHES entry for a locmem:// or redis:// / rediss:// URL.

    locmem:// (optionally locmem://<name>) is one process's memory: the demo and the tests. Redis is shared
    by every gunicorn worker and machine, which a per-address rate limit needs to mean what it says.
    """
    parts = urlsplit(url)
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"{parts.netloc}{parts.path}" or key_prefix, "KEY_PREFIX": key_prefix}
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "registry.ops.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": key_prefix}
    raise ValueError(f"CACHE_URL scheme {parts.scheme!r} is not supported (use locmem:// or redis://)")


def weak_secret(value: str, min_length: int) -> bool:
    """Return whether a secret is too short or too repetitive to be random (e.g. 36 x "a")."""
    return len(value) < min_length or len(set(value)) < 12


def private_file(path) -> None:
    """Create the file (and its missing folder) readable by the owner only; close an existing one to 0600."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        os.chmod(path, 0o600)
    except PermissionError:  # another account's file: leave it as its owner set it
        pass
