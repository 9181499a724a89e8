"""Checks run after a restore (settings.RESTORE_VERIFIERS): the uploaded materials are whole."""

from __future__ import annotations

import hashlib
from datetime import datetime

from registry.applications.models import Material
from registry.ops.backup import Check
from registry.ops.storage import private_storage


def verify_materials(*, now: datetime) -> Check:
    """Every uploaded material's file is in private storage and its SHA-256 matches the row."""
    check = Check("materials")
    storage = private_storage()
    for material in Material.objects.select_related("application").order_by("pk").iterator():
        check.checked += 1
        label = f"material {material.pk} of application {material.application.reference} ({material.storage_name})"
        try:
            with storage.open(material.storage_name, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            check.problems.append(f"{label}: file missing")
            continue
        if digest != material.sha256:
            check.problems.append(f"{label}: SHA-256 differs from the row")
    return check
