"""Backup and restore of the database and the private files, and the checks run after a restore.

A backup is one folder holding the database (``pg_dump`` custom format for PostgreSQL, a copy made
with SQLite's online backup API for SQLite), one tar archive per file folder (the private storage when
it is on local disk, plus settings.BACKUP_EXTRA_FOLDERS) and ``manifest.json`` with the SHA-256 of each
part. A restore refuses a backup whose parts do not match their hashes or whose database engine is not
the configured one, replaces the database and the folders (each replaced folder is kept beside it as
``<folder>.before-restore-<time>``), then runs every verifier of settings.RESTORE_VERIFIERS and returns
their findings.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import connections
from django.utils.module_loading import import_string

from registry.ops.storage import local_root, private_storage

MANIFEST = "manifest.json"
FORMAT = 1
# Connection options of the URL that libpq also reads from the environment (pg_dump, pg_restore).
_LIBPQ_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
              "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT"}


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


@dataclass
class Check:
    """What one verifier checked after a restore and what it found wrong (one line per problem)."""

    name: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def _engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _folders() -> dict[str, Path]:
    """Return the folders archived with the database: every file storage on local disk, plus the extra ones.

    The private uploads ("private") and the sealed certificates ("certificates") each live in their own
    storage; one in a bucket is backed up by the bucket's own versioning or replication.
    """
    folders = {}
    root = local_root(private_storage())
    if root is not None:
        folders["private"] = Path(root)
    if "certificates" in settings.STORAGES:
        root = local_root(storages["certificates"])
        if root is not None:
            folders["certificates"] = Path(root)
    folders.update({name: Path(path) for name, path in settings.BACKUP_EXTRA_FOLDERS.items()})
    return folders


def _pg_env() -> dict[str, str]:
    """Return the environment that points pg_dump/pg_restore at the default database (password included)."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    for option, var in _LIBPQ_ENV.items():
        if option in db.get("OPTIONS", {}):
            env[var] = str(db["OPTIONS"][option])
    return env


def _run(command: list[str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run([tool, *command[1:]], env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_database(engine: str, folder: Path) -> str:
    if engine == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={folder / 'database.dump'}"])
        return "database.dump"
    connection = connections["default"]
    connection.ensure_connection()
    target = sqlite3.connect(folder / "database.sqlite3")
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return "database.sqlite3"


def _load_database(engine: str, path: Path) -> None:
    connections.close_all()
    if engine == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={settings.DATABASES['default']['NAME']}", str(path)])
        return
    source = sqlite3.connect(path)
    connection = connections["default"]
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def create_backup(destination: Path, *, now: datetime) -> Path:
    """Write a backup of the database and the file folders into a new folder under destination."""
    engine = _engine()
    folder = Path(destination) / f"registry-backup-{now:%Y%m%dT%H%M%S}Z"
    folder.mkdir(parents=True, exist_ok=False)
    parts = {"database": _dump_database(engine, folder), "folders": {}}
    for name, source in _folders().items():
        archive = f"files-{name}.tar"
        with tarfile.open(folder / archive, "w") as tar:
            if source.is_dir():
                tar.add(source, arcname=".")
        parts["folders"][name] = archive
    files = [parts["database"], *parts["folders"].values()]
    manifest = {"format": FORMAT, "created_at": now.isoformat(), "engine": engine, **parts,
                "sha256": {name: _sha256(folder / name) for name in files}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def read_manifest(folder: Path) -> dict:
    """Return the manifest of a backup after checking that every part is there with its hash."""
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"not a backup folder (no readable {MANIFEST}): {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, expected in manifest["sha256"].items():
        path = Path(folder) / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"{name} is missing or damaged (its SHA-256 differs from the manifest)")
    return manifest


def _replace_folder(target: Path, archive: Path, stamp: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=target.parent))
    with tarfile.open(archive) as tar:
        tar.extractall(incoming, filter="data")
    if target.exists():
        # Kept aside, never overwritten: a second restore within the same second gets its own name.
        aside = target.with_name(f"{target.name}.before-restore-{stamp}")
        serial = 1
        while aside.exists():
            serial += 1
            aside = target.with_name(f"{target.name}.before-restore-{stamp}-{serial}")
        target.rename(aside)
    incoming.rename(target)


def restore_backup(folder: Path, *, now: datetime) -> list[Check]:
    """Replace the database and the file folders with a backup's, then run the restore verifiers."""
    manifest = read_manifest(folder)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(f"the backup is of a {manifest['engine']} database, the configured one is {engine}")
    folders = _folders()
    unknown = sorted(set(manifest["folders"]) - set(folders))
    if unknown:
        raise BackupError(f"the backup has folders this configuration does not: {', '.join(unknown)}")
    _load_database(engine, Path(folder) / manifest["database"])
    stamp = f"{now:%Y%m%dT%H%M%S}"
    for name, archive in manifest["folders"].items():
        _replace_folder(folders[name], Path(folder) / archive, stamp)
    return run_verifiers(now=now)


def run_verifiers(*, now: datetime) -> list[Check]:
    """Run every function of settings.RESTORE_VERIFIERS; return their findings in order."""
    return [import_string(dotted)(now=now) for dotted in settings.RESTORE_VERIFIERS]
