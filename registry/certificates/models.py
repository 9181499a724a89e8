"""E-certificates: what was printed on each one, where its sealed file is, and its status history.

A row exists if and only if its sealed OFD file is stored. Issued rows are never edited except for
their status and the link to their successor; a correction is a new version that supersedes the old.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import clock
from registry.applications.models import Registration
from registry.people.models import Person


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUPERSEDED = "superseded", _("已失效（已换发新证）")
    CANCELLED = "cancelled", _("已注销")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")


# Statuses a certificate never leaves (cancellation and revocation are final, like supersession).
FINAL_STATUSES = {CertificateStatus.SUPERSEDED, CertificateStatus.CANCELLED, CertificateStatus.REVOKED}


class CertificateSource(models.TextChoices):
    APPROVAL = "approval", _("审批通过")
    CANCELLATION = "cancellation", _("注销部分专业后换发")
    CLAIM = "claim", _("纸质证书换领")
    SEED = "seed", _("演示数据")


class Certificate(models.Model):
    """One issued e-certificate (one version for one registration)."""

    person = models.ForeignKey(
        Person, verbose_name=_("持证人"), on_delete=models.PROTECT, related_name="certificates"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("注册"), on_delete=models.PROTECT, related_name="certificates"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    source = models.CharField(_("来源"), max_length=20, choices=CertificateSource.choices)
    # Unique per registration change: a retried event finds the certificate it already issued.
    idempotency_key = models.CharField(_("签发幂等键"), max_length=100, unique=True)
    # Random, carries no personal data: the QR verification URL's identifier.
    public_id = models.CharField(_("公开标识"), max_length=32, unique=True)
    licence_identifier = models.CharField(_("证照标识"), max_length=80, unique=True)
    serial = models.CharField(_("证书编号"), max_length=40, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)

    # What is printed, copied at issue.
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=4)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证件号码"), max_length=18)
    registration_number = models.CharField(_("注册编号"), max_length=20)
    employer_name = models.CharField(_("聘用企业"), max_length=100)
    # [{"code": "10401001", "name": "建筑工程", "valid_from": "2026-01-01", "valid_to": "2028-12-31"}, ...]
    specialties = models.JSONField(_("注册专业及有效期"))
    valid_until = models.DateField(_("最晚有效期"))
    issue_date = models.DateField(_("发证日期"))
    authority_name = models.CharField(_("发证机关"), max_length=100)
    verification_url = models.CharField(_("核验地址"), max_length=300)
    # Private-storage names of the photo and signature printed (uploads of the application or the claim).
    photo_name = models.CharField(_("照片文件"), max_length=200)
    signature_name = models.CharField(_("签名文件"), max_length=200)

    # The sealed file.
    storage_name = models.CharField(_("存储文件名"), max_length=200, unique=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sm3 = models.CharField(_("SM3 摘要"), max_length=64)
    # The upload check finds a file by it.
    sha256 = models.CharField(_("SHA-256 摘要"), max_length=64, db_index=True)

    issued_at = models.DateTimeField(_("签发时间"))
    sealed_at = models.DateTimeField(_("签章时间"))
    status_changed_at = models.DateTimeField(_("状态变更时间"))
    supersedes = models.OneToOneField("self", verbose_name=_("所替代的证书"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")

    class Meta:
        verbose_name = _("电子注册证书")
        verbose_name_plural = _("电子注册证书")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # At most one valid certificate per person, held by the database, not only by code.
            models.UniqueConstraint(fields=["person"], condition=models.Q(status="valid"),
                                    name="one_valid_certificate_per_person"),
            models.UniqueConstraint(fields=["registration", "version"], name="uniq_certificate_version"),
        ]
        indexes = [
            # The daily expiry sweep: valid certificates whose last specialty has ended.
            models.Index(fields=["status", "valid_until"], name="cert_expiry_idx"),
            # The holder's 电子证书管理 list.
            models.Index(fields=["person", "-issued_at"], name="cert_person_idx"),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def number(self) -> str:
        """Return the certificate number printed on it (证书编号), as other apps' messages name it."""
        return self.serial


class CertificateTransition(models.Model):
    """Append-only history of a certificate's status: who, when, from, to, why."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="transitions"
    )
    at = models.DateTimeField(_("时间"), default=clock.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CertificateStatus.choices)
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("证书状态记录")
        verbose_name_plural = _("证书状态记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["certificate", "at"])]

    def save(self, *args, **kwargs):
        """Append only: a transition is written once and never changed."""
        if self.pk is not None:
            raise ValueError("certificate transitions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("certificate transitions are append-only")


class CheckChannel(models.TextChoices):
    QR = "qr", _("扫码核验")
    SEARCH = "search", _("注册信息查询")
    UPLOAD = "upload", _("上传文件核验")
    API = "api", _("接口核验")
    RECEIPT = "receipt", _("核验回执")


class VerificationCheck(models.Model):
    """How many times a certificate was checked on one day, through one channel, with one outcome.

    A counter row per (certificate, day, channel, outcome) rather than a row per check: the QR page's
    counts are added in batches (checks.record_check), never a growing table, and nothing about the
    scanner is kept (no address, no user agent, no time finer than the day) -- the holder learns when
    and how, never who.
    """

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="checks"
    )
    day = models.DateField(_("日期"))
    channel = models.CharField(_("核验渠道"), max_length=16, choices=CheckChannel.choices)
    outcome = models.CharField(_("核验结果"), max_length=32)
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("核验统计")
        verbose_name_plural = _("核验统计")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "day", "channel", "outcome"],
                                    name="uniq_check_counter"),
        ]
        indexes = [models.Index(fields=["certificate", "-day"])]


class VerificationReceipt(models.Model):
    """One sealed verification receipt handed out: what it stated, and the hash of the file.

    Nothing about the requester is kept (no address, no user, no agent). The hash lets the authority
    confirm later that a receipt shown to it is one it issued, without storing the file.
    """

    number = models.CharField(_("回执编号"), max_length=32, unique=True)
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="receipts"
    )
    certificate_version = models.PositiveSmallIntegerField(_("证书版本"))
    outcome = models.CharField(_("核验结果"), max_length=32)
    as_of = models.DateTimeField(_("核验时间"))
    channel = models.CharField(_("核验渠道"), max_length=16, choices=CheckChannel.choices)
    sha256 = models.CharField(_("文件 SHA-256 摘要"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("出具时间"))

    class Meta:
        verbose_name = _("核验回执")
        verbose_name_plural = _("核验回执")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number
