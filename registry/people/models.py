"""People and employers: accounts, real-name persons, enterprises, face checks, sign-in and authentication."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import clock
from registry.masking import mask_id_number
from registry.roles import Role

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


class User(AbstractUser):
    """An account. Its role decides which pages it reaches; its links decide which objects it sees."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    # District officers see only enterprises registered in their district.
    district = models.CharField(_("所属区县"), max_length=6, choices=DISTRICTS, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    """A real-name natural person: an applicant or a registered constructor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
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
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        """Return the ID number as the public masking policy shows it (birth date and sequence hidden)."""
        return mask_id_number(self.id_number)


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
    # Why online authentication was refused (credit code differs, lock lost...): on-site is required.
    onsite_required_reason = models.CharField(_("须现场认证原因"), max_length=300, blank=True)
    onsite_requested_at = models.DateTimeField(_("申请现场认证时间"), null=True, blank=True)

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

    @property
    def auth_method_label(self) -> str:
        """The method of the authentication in words (an unknown stored code shows as it is)."""
        labels = dict(AuthMethod.choices)
        return str(labels.get(self.auth_method, self.auth_method))


class EnterpriseOperator(models.Model):
    """An account acting for an enterprise; the enterprise decides who may confirm applications."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
        related_name="operator_roles",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="operators"
    )
    can_confirm = models.BooleanField(_("可确认申请"), default=True)
    # Managers (the legal person's own account) add operators and choose who may confirm.
    is_manager = models.BooleanField(_("管理员"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)

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

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="face_checks"
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=FacePurpose.choices)
    method = models.CharField(_("核验方式"), max_length=20, choices=Method.choices, default=Method.PROVIDER)
    # The provider's result identifier; unique so a result can never be recorded twice.
    result_id = models.CharField(_("核验结果编号"), max_length=64, unique=True)
    verified_at = models.DateTimeField(_("核验时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_for = models.CharField(_("用于"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document_seen = models.CharField(_("查验的证件"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("人脸核验记录")
        verbose_name_plural = _("人脸核验记录")
        # Finding the person's newest unused check for a purpose at submission.
        indexes = [models.Index(fields=["person", "purpose", "used_at", "expires_at"])]


# ---------------------------------------------------------------------------
# Sign-in through 渝快办, enterprise authentication and login throttling
# ---------------------------------------------------------------------------


class YkbAccountKind(models.TextChoices):
    PERSON = "person", _("个人")
    LEGAL = "legal", _("法人")


class YkbIdentity(models.Model):
    """The link between a 渝快办 subject (OIDC ``sub``) and a local account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
        related_name="ykb_identities",
    )
    issuer = models.CharField(_("签发方"), max_length=200)
    subject = models.CharField(_("渝快办用户标识"), max_length=200)
    kind = models.CharField(_("账号类型"), max_length=10, choices=YkbAccountKind.choices)
    # For a legal-person account: the credit code 渝快办 verified, as last seen at sign-in.
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    enterprise_name = models.CharField(_("企业名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    last_sign_in_at = models.DateTimeField(_("最近登录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("渝快办账号关联")
        verbose_name_plural = _("渝快办账号关联")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="uniq_ykb_subject")]


class LegacyEnterpriseRecord(models.Model):
    """An enterprise as the former registration system knew it (imported, read-only here)."""

    old_credit_code = models.CharField(_("原系统统一社会信用代码"), max_length=18, db_index=True)
    name = models.CharField(_("原系统企业名称"), max_length=100)
    district = models.CharField(_("注册所在区县"), max_length=6, choices=DISTRICTS, blank=True)
    # The former system's username/password account, imported as a User whose password field holds
    # the old hash (a legacy hasher); it is re-hashed with Argon2 the first time it is used.
    legacy_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("原系统账号"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="legacy_record"
    )
    imported_at = models.DateTimeField(_("导入时间"), default=clock.now)

    class Meta:
        verbose_name = _("原系统企业记录")
        verbose_name_plural = _("原系统企业记录")

    def __str__(self) -> str:
        return self.name


class LockCertificate(models.Model):
    """The certificate of an identity lock (身份锁) issued by the former system (imported)."""

    record = models.ForeignKey(
        LegacyEnterpriseRecord, verbose_name=_("原系统企业记录"), on_delete=models.CASCADE,
        related_name="lock_certificates",
    )
    certificate_der = models.BinaryField(_("证书（DER）"))
    # SHA-256 of the DER certificate: how a lock's response names its certificate.
    fingerprint = models.CharField(_("证书指纹"), max_length=64, unique=True)
    serial = models.CharField(_("证书序列号"), max_length=64)
    not_after = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    lost_at = models.DateTimeField(_("挂失时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("身份锁证书")
        verbose_name_plural = _("身份锁证书")


class LockChallenge(models.Model):
    """A single-use nonce the server issued for one user to sign with an identity lock."""

    nonce = models.CharField(_("随机数"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("身份锁挑战")
        verbose_name_plural = _("身份锁挑战")


class AuthMethod(models.TextChoices):
    LOCK = "lock", _("身份锁认证")
    LEGACY_PASSWORD = "legacy_password", _("原系统用户名密码认证")
    ON_SITE = "on_site", _("现场认证")


class EnterpriseAuthentication(models.Model):
    """One attempt or decision to authenticate an enterprise: the history the officer and admin read."""

    class Outcome(models.TextChoices):
        AUTHENTICATED = "authenticated", _("认证通过")
        REFUSED = "refused", _("认证未通过")
        REQUESTED = "requested", _("已申请现场认证")

    enterprise = models.ForeignKey(
        "Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="authentications"
    )
    method = models.CharField(_("认证方式"), max_length=20, choices=AuthMethod.choices)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=clock.now)
    # On-site only: what the district officer saw.
    is_agent = models.BooleanField(_("代办"), default=False)
    checks = models.JSONField(_("核查结果"), default=dict, blank=True)
    licence_scan = models.CharField(_("营业执照扫描件"), max_length=200, blank=True)
    qualification_scan = models.CharField(_("资质证书扫描件"), max_length=200, blank=True)
    authorisation_scan = models.CharField(_("授权委托书扫描件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("企业认证记录")
        verbose_name_plural = _("企业认证记录")
        ordering = ["-at"]


class SignInFailure(models.Model):
    """A failed sign-in, counted per username and per address to throttle guessing."""

    at = models.DateTimeField(_("时间"), db_index=True)
    # HMAC of the username: what was typed may be an ID number, which never goes into storage plainly.
    username_key = models.CharField(_("账号摘要"), max_length=64)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        # Counting the recent failures of one username, and of one address.
        indexes = [models.Index(fields=["username_key", "at"]), models.Index(fields=["ip_address", "at"])]


class FaceRequest(models.Model):
    """A face verification the site asked the provider for; its result must come back bound to it."""

    token = models.CharField(_("令牌"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("用途"), max_length=20, choices=FacePurpose.choices)
    next_url = models.CharField(_("完成后返回地址"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("人脸识别请求")
        verbose_name_plural = _("人脸识别请求")
