"""The identity demo data loads twice without change."""

from registry.people.models import Enterprise, LegacyEnterpriseRecord, LockCertificate, User
from registry.ykb_sim.demo import LEGACY_USERNAME, LOCK_ENTERPRISE_NAME, load_identity_demo
from registry.ykb_sim.models import SimIdentity


def test_the_identity_demo_is_idempotent(db):
    load_identity_demo()
    counts = (SimIdentity.objects.count(), LockCertificate.objects.count(), LegacyEnterpriseRecord.objects.count())
    load_identity_demo()
    assert counts == (SimIdentity.objects.count(), LockCertificate.objects.count(),
                      LegacyEnterpriseRecord.objects.count())
    assert LockCertificate.objects.get().record.old_credit_code == Enterprise.objects.get(
        name=LOCK_ENTERPRISE_NAME).credit_code
    assert User.objects.get(username=LEGACY_USERNAME).password.startswith("legacy_sha1$")
