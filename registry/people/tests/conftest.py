"""Settings and helpers of the identity tests; the ``personas`` cast is in ``registry.testing``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from registry.people.lock import SoftwareLock, fingerprint
from registry.people.models import LegacyEnterpriseRecord, LockCertificate


@pytest.fixture(autouse=True)
def identity_settings(settings, tmp_path):
    """Keep simulator keys and private files in a temporary folder; forget cached discovery documents."""
    settings.YKB_SIM_KEY_DIR = tmp_path / "ykb-sim"
    settings.FACE_PROVIDER_JWKS = str(tmp_path / "ykb-sim" / "face-public.jwks")
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    # Personas' passwords hash fast; the legacy-upgrade test puts Argon2 first again.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "registry.people.hashers.LegacySaltedSHA1PasswordHasher",
                                 "registry.people.hashers.LegacyMD5PasswordHasher"]
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def make_lock(db):
    """Return a factory of software locks whose certificate is imported for an old-system record."""

    def factory(credit: str, name: str = "重庆山城建设工程有限公司", *, import_it: bool = True,
                not_after: datetime = datetime(2035, 1, 1, tzinfo=UTC)) -> SoftwareLock:
        lock = SoftwareLock.create(enterprise_name=name, credit_code=credit,
                                   not_before=datetime(2019, 1, 1, tzinfo=UTC), not_after=not_after)
        if import_it:
            record, _ = LegacyEnterpriseRecord.objects.get_or_create(old_credit_code=credit, name=name)
            LockCertificate.objects.create(record=record, certificate_der=lock.certificate_der,
                                           fingerprint=fingerprint(lock.certificate_der), serial="1",
                                           not_after=not_after)
        return lock

    return factory
