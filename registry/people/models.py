"""People and employers: accounts, real-name persons, enterprises, face checks and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB/T 2260 codes of Chongqing's districts and counties (区县); enterprises register in one of them.
DISTRICTS: list[tuple[str, str]] = [
    ("500101", "万州区"), ("500102", "涪陵区"), ("500103", "渝中区"), ("500104", "大渡口区"),
    ("500105", "江北区"), ("500106", "沙坪坝区"), ("500107", "九龙坡区"), ("500108", "南岸区"),
    ("500109", "北碚区"), ("500110", "綦江区"), ("500111", "大足区"), ("500112", "渝北区"),
    ("500113", "巴南区"), ("500114", "黔江区"), ("500115", "长寿区"), ("500116", "江津区"),
    ("500117", "合川区"), ("500118", "永川区"), ("500119", "南川区"), ("500120", "璧山区"),
    ("500151", "铜梁区"), ("500152", "潼南区"), ("500153", "荣昌区"), ("500154", "开州区"),
    ("500155", "梁平区"), ("500156", "武隆区"), ("500229", "城口县"), ("500230", "丰都县"),
    ("500231", "垫江县"), ("500233", "忠县"), ("500235", "云阳县"), ("500236", "奉节县"),
    ("500237", "巫山县"), ("500238", "巫溪县"), ("500240", "石柱土家族自治县"),
    ("500241", "秀山土家族苗族自治县"), ("500242", "酉阳土家族苗族自治县"),
    ("500243", "彭水苗族土家族自治县"),
]


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    ENTERPRISE = "enterprise", _("企业经办人")
    REVIEWER = "reviewer", _("审批人员（市住房城乡建委）")
    DISTRICT = "district", _("区县住房城乡建设主管部门")
    SERVICE_CENTRE = "service_centre", _("政务服务中心工作人员")
    ADMIN = "admin", _("系统管理员")


class User(AbstractUser):
    """An account. Its role decides which pages it reaches; its links decide which objects it sees."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    # District officers see only enterprises registered in their district.
    district = models.CharField(_("所属区县"), max_length=6, choices=DISTRICTS, blank=True)
    must_change_password = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    """A real-name natural person: an applicant or a registered constructor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField(_("姓名"), max_length=50)
    # Unique: one person, one record. Never shown unmasked to the public, never put in a URL.
    id_number = models.CharField(_("身份证件号码"), max_length=18, unique=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    # Storage-relative paths of re-encoded images (private storage).
    photo = models.CharField(_("证件照片"), max_length=200, blank=True)
    signature = models.CharField(_("签名图片"), max_length=200, blank=True)
    real_name_level = models.CharField(_("实名认证级别"), max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        """Return the ID number with the birth date and sequence hidden."""
        return mask_id_number(self.id_number)


def mask_id_number(number: str) -> str:
    """Return an ID number showing only its first 3 and last 2 characters."""
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


class EnterpriseAuthState(models.TextChoices):
    UNAUTHENTICATED = "unauthenticated", _("未认证")
    AUTHENTICATED = "authenticated", _("已认证")
    SUSPENDED = "suspended", _("已暂停")


class Enterprise(models.Model):
    """An employer (聘用企业), identified by its unified social credit code."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=100)
    district = models.CharField(_("注册所在区县"), max_length=6, choices=DISTRICTS)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    auth_state = models.CharField(
        _("认证状态"), max_length=20, choices=EnterpriseAuthState.choices,
        default=EnterpriseAuthState.UNAUTHENTICATED,
    )
    auth_method = models.CharField(_("认证方式"), max_length=20, blank=True)
    authenticated_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    # False when the business licence or qualification was revoked, or the enterprise went bankrupt.
    is_active = models.BooleanField(_("经营状态正常"), default=True)
    meets_registering_requirements = models.BooleanField(_("符合聘用单位条件"), default=True)
    credit_code_override_reason = models.CharField(_("信用代码校验覆盖原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        # The district officer's list of enterprises of their district.
        indexes = [models.Index(fields=["district", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authenticated_employer(self) -> bool:
        return self.auth_state == EnterpriseAuthState.AUTHENTICATED


class EnterpriseOperator(models.Model):
    """An account acting for an enterprise; the enterprise decides who may confirm applications."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_roles")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="operators")
    can_confirm = models.BooleanField(_("可确认申请"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("企业经办人")
        verbose_name_plural = _("企业经办人")
        constraints = [models.UniqueConstraint(fields=["user", "enterprise"], name="uniq_operator")]


class FacePurpose(models.TextChoices):
    SUBMIT = "submit", _("提交申请")
    DOWNLOAD = "download", _("下载电子证书")
    CLAIM = "claim", _("领取电子证书")


class FaceCheck(models.Model):
    """A passed face verification of one person for one purpose, usable once within its lifetime."""

    class Method(models.TextChoices):
        PROVIDER = "provider", _("人脸识别")
        ON_SITE = "on_site", _("现场核验")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="face_checks")
    purpose = models.CharField(max_length=20, choices=FacePurpose.choices)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.PROVIDER)
    # The provider's result identifier; unique so a result can never be recorded twice.
    result_id = models.CharField(max_length=64, unique=True)
    verified_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_for = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document_seen = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("人脸核验记录")
        verbose_name_plural = _("人脸核验记录")
        # Finding the person's newest unused check for a purpose at submission.
        indexes = [models.Index(fields=["person", "purpose", "used_at", "expires_at"])]


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which object, when and from where."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)  # dotted code, e.g. applications.application.approved
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=50, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]
