"""Backup and restore, end to end on the database the pass runs on (PostgreSQL with pg_dump/pg_restore,
SQLite with its backup API): back up, drop, restore, compare; then the restore verifiers' report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from registry.applications import services
from registry.applications.models import Material
from registry.applications.tests.conftest import at, under_review
from registry.certificates.models import Certificate
from registry.certificates.sealing import certificate_storage
from registry.ops.backup import (
    BackupError,
    Check,
    create_backup,
    read_manifest,
    restore_backup,
    run_verifiers,
)
from registry.seal.certs import pem_certificate
from registry.seal.demo import create_demo_pki

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return tmp_path / "private"


def snapshot() -> dict[str, list]:
    """Every row of every model, in primary-key order."""
    return {model._meta.label: list(model.objects.order_by("pk").values())
            for model in apps.get_models() if model._meta.managed}


def files_of(root) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def drop_everything() -> None:
    """Lose the database: every table gone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            tables = connection.introspection.table_names(cursor)
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


def approved(world):
    """Return the applicant's approved initial registration's certificate (issued, sealed, stored)."""
    application = under_review(world, at(2026, 11, 2))
    services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
    return Certificate.objects.get(person=world.applicant.person)


def test_backup_drop_restore_gives_back_every_row_and_file(world, private_root, tmp_path, clock_now):
    certificate = approved(world)
    assert Material.objects.count() > 3
    certificates_root = Path(certificate_storage().location)
    rows, files, sealed = snapshot(), files_of(private_root), files_of(certificates_root)
    assert certificate.storage_name in sealed  # the storage is the test session's: other tests' files too

    folder = create_backup(tmp_path / "backups", now=clock_now)
    manifest = read_manifest(folder)
    assert manifest["engine"] == connection.vendor and set(manifest["folders"]) == {"private", "certificates"}

    drop_everything()
    shutil.rmtree(private_root)
    shutil.rmtree(certificates_root)
    checks = restore_backup(folder, now=clock_now)

    assert snapshot() == rows
    assert files_of(private_root) == files and files_of(certificates_root) == sealed
    # Every stored certificate re-verified: file present, hashes as recorded, seal valid against the root.
    assert [(check.name, check.checked, check.problems) for check in checks] == [
        ("materials", len(files), []), ("certificates", 1, [])]


def test_the_restore_report_names_a_damaged_certificate(world, private_root, tmp_path, clock_now):
    certificate = approved(world)
    path = Path(certificate_storage().location) / certificate.storage_name
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))
    folder = create_backup(tmp_path / "backups", now=clock_now)

    with pytest.raises(CommandError, match="certificates"):
        call_command("restore", str(folder), "--yes", stdout=(out := _Out()))
    assert f"certificate {certificate.serial}" in out.text and "size or hash differs from the row" in out.text


def test_a_certificate_sealed_outside_the_trust_roots_is_named(world, private_root, settings, tmp_path, clock_now):
    certificate = approved(world)
    other = create_demo_pki(tmp_path / "other", now=clock_now)
    (tmp_path / "roots.pem").write_bytes(pem_certificate(other.trust_root))
    settings.CERTIFICATE_TRUST_ROOTS_FILE = str(tmp_path / "roots.pem")

    [check] = [c for c in run_verifiers(now=clock_now) if c.name == "certificates"]
    assert check.checked == 1 and len(check.problems) == 1
    assert f"certificate {certificate.serial}" in check.problems[0] and "cert.chain" in check.problems[0]


def test_the_restore_report_names_a_damaged_and_a_missing_file(world, private_root, tmp_path, clock_now):
    under_review(world, at(2026, 11, 2))
    folder = create_backup(tmp_path / "backups", now=clock_now)
    damaged, missing = Material.objects.order_by("pk")[:2]
    # Damage the backup's copy of one file and lose another, then re-seal the archive's hash as if the
    # damage had happened before the backup (the manifest only proves the backup was not changed since).
    (private_root / damaged.storage_name).write_bytes(b"%PDF-1.4 changed\n%%EOF\n")
    (private_root / missing.storage_name).unlink()
    folder = create_backup(tmp_path / "again", now=clock_now)

    with pytest.raises(CommandError, match="materials"):
        call_command("restore", str(folder), "--yes", stdout=(out := _Out()))
    report = out.text
    assert f"material {damaged.pk} of application" in report and "SHA-256 differs from the row" in report
    assert f"material {missing.pk} of application" in report and "file missing" in report
    assert "materials: " in report and "2 problem(s)" in report


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_a_backup_whose_part_changed_is_refused(world, private_root, tmp_path, clock_now):
    folder = create_backup(tmp_path / "backups", now=clock_now)
    manifest = json.loads((folder / "manifest.json").read_text())
    with (folder / manifest["database"]).open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(BackupError, match="damaged"):
        restore_backup(folder, now=clock_now)
    assert Material.objects.count() == 0 and connection.introspection.table_names()  # nothing was touched


def test_a_backup_of_another_engine_is_refused(world, private_root, tmp_path, clock_now):
    folder = create_backup(tmp_path / "backups", now=clock_now)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["engine"] = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="configured one is"):
        restore_backup(folder, now=clock_now)


def test_restore_asks_for_confirmation(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path))
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", str(tmp_path), "--yes")


def test_the_backup_command_prints_the_new_folder(private_root, tmp_path, capsys):
    call_command("backup", "--to", str(tmp_path / "b"))
    folder = capsys.readouterr().out.strip()
    assert folder.startswith(str(tmp_path / "b")) and read_manifest(Path(folder))


def verifier_that_finds(now):
    return Check("probe", checked=1, problems=["row 7: the probe found this"])


def test_verify_only_runs_every_registered_verifier(settings, private_root):
    settings.RESTORE_VERIFIERS = ["registry.applications.restore.verify_materials",
                                  "registry.ops.tests.test_backup.verifier_that_finds"]
    out = _Out()
    with pytest.raises(CommandError, match="probe"):
        call_command("restore", "--verify-only", stdout=out)
    assert "materials: 0 checked, ok" in out.text and "row 7: the probe found this" in out.text
