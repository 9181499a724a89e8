"""Registrations and applications.

Status fields change only through ``services``; every change is a row in a transition log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import clock
from registry.applications.workflow import OPEN, STATUS_LABELS, Status
from registry.people.models import Enterprise, Person


class Specialty(models.TextChoices):
    """The six specialties of second-class constructors, keyed by the national code."""

    BUILDING = "10401001", _("建筑工程")
    HIGHWAY = "10401002", _("公路工程")
    WATER = "10401005", _("水利水电工程")
    MINING = "10401007", _("矿业工程")
    MUNICIPAL = "10401010", _("市政公用工程")
    MECHANICAL = "10401012", _("机电工程")


class Qualification(models.Model):
    """A qualification certificate (资格证书) as loaded from the qualification registry."""

    management_number = models.CharField(_("管理号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证件号码"), max_length=18, db_index=True)
    specialty = models.CharField(_("专业"), max_length=8, choices=Specialty.choices)
    year_obtained = models.PositiveSmallIntegerField(_("取得年份"))
    issued_on = models.DateField(_("签发日期"))

    class Meta:
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")

    def __str__(self) -> str:
        return f"{self.management_number} {self.get_specialty_display()}"


class ContinuingEducation(models.Model):
    """Completed continuing education (继续教育) of a person in one specialty."""

    id_number = models.CharField(_("身份证件号码"), max_length=18, db_index=True)
    specialty = models.CharField(_("专业"), max_length=8, choices=Specialty.choices)
    completed_on = models.DateField(_("完成日期"))
    hours = models.PositiveSmallIntegerField(_("学时"), default=120)

    class Meta:
        verbose_name = _("继续教育记录")
        verbose_name_plural = _("继续教育记录")


class SanctionKind(models.TextChoices):
    """Facts behind the refusal grounds of Art. 15 and the re-application bans."""

    SERVING_SENTENCE = "serving_sentence", _("刑事处罚尚未执行完毕")
    CRIMINAL_PRACTICE = "criminal_practice", _("因执业活动受到刑事处罚")
    CRIMINAL_OTHER = "criminal_other", _("因其他原因受到刑事处罚")
    CERTIFICATE_REVOKED = "certificate_revoked", _("被吊销注册证书")
    MAJOR_ACCIDENT = "major_accident", _("担任项目经理期间发生重大质量或安全事故")
    FALSE_MATERIALS = "false_materials", _("隐瞒有关情况或者提供虚假材料")
    FRAUD = "fraud", _("以欺骗、贿赂等不正当手段取得注册")
    NO_CIVIL_CAPACITY = "no_civil_capacity", _("不具有完全民事行为能力")


class Sanction(models.Model):
    """A recorded penalty or fact that may block registration for a period."""

    id_number = models.CharField(_("身份证件号码"), max_length=18, db_index=True)
    kind = models.CharField(_("类型"), max_length=30, choices=SanctionKind.choices)
    decided_on = models.DateField(_("决定日期"))
    completed_on = models.DateField(_("执行完毕日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("不良记录")
        verbose_name_plural = _("不良记录")


class ProjectLock(models.Model):
    """A project under construction (在施项目) that the person leads; it blocks a change of employer."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="project_locks"
    )
    project_name = models.CharField(_("项目名称"), max_length=200)
    active = models.BooleanField(_("锁定中"), default=True)

    class Meta:
        verbose_name = _("在施项目锁定")
        verbose_name_plural = _("在施项目锁定")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    CANCELLED = "cancelled", _("已注销")


class Registration(models.Model):
    """A person's registration (注册) with one employer; each specialty has its own validity."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="registrations"
    )
    # Kept on re-registration; unique when present.
    number = models.CharField(_("注册编号"), max_length=20, unique=True)
    employer = models.ForeignKey(
        Enterprise, verbose_name=_("聘用企业"), on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    registered_on = models.DateField(_("初始注册日期"))
    # The paper certificate of a registration made in the old system (filled by import_legacy); its holder
    # claims the e-certificate with the same validity. Blank for registrations made here.
    paper_certificate_number = models.CharField(_("纸质证书编号"), max_length=32, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("注册")
        verbose_name_plural = _("注册")
        constraints = [
            # At most one active registration per person (the one-employer rule).
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="active"), name="one_active_registration"
            )
        ]
        # The employer's list of its registered staff.
        indexes = [models.Index(fields=["employer", "status"])]

    def __str__(self) -> str:
        return self.number

    def active_specialties(self):
        return [s for s in self.specialties.all() if s.status == RegistrationStatus.ACTIVE]


class RegistrationSpecialty(models.Model):
    registration = models.ForeignKey(
        Registration, verbose_name=_("注册"), on_delete=models.CASCADE, related_name="specialties"
    )
    specialty = models.CharField(_("专业"), max_length=8, choices=Specialty.choices)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    qualification = models.ForeignKey(
        Qualification, verbose_name=_("资格证书"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("注册专业")
        verbose_name_plural = _("注册专业")
        constraints = [
            models.UniqueConstraint(fields=["registration", "specialty"], name="uniq_registration_specialty")
        ]
        ordering = ["specialty"]


class ApplicationType(models.TextChoices):
    INITIAL = "initial", _("初始注册")
    RENEWAL = "renewal", _("延续注册")
    CHANGE = "change", _("变更注册")
    ADD_SPECIALTY = "add_specialty", _("增项注册")
    REREGISTRATION = "reregistration", _("重新注册")
    CANCELLATION = "cancellation", _("注销注册")


class ChangeKind(models.TextChoices):
    EMPLOYER = "employer", _("执业企业变更")
    PERSONAL = "personal", _("个人信息变更")
    ENTERPRISE = "enterprise", _("企业信息变更")


# The statuses of the workflow table, with their labels: defined once, in ``workflow``.
ApplicationStatus = models.TextChoices(
    "ApplicationStatus", [(status.name, (status.value, _(STATUS_LABELS[status]))) for status in Status]
)

# Statuses in which an application still occupies the person (no second one may be opened).
OPEN_STATUSES = list(OPEN)


class Application(models.Model):
    """One application of a person, from draft to decision."""

    reference = models.CharField(_("申请编号"), max_length=20, unique=True)
    type = models.CharField(_("申请类型"), max_length=20, choices=ApplicationType.choices)
    change_kind = models.CharField(_("变更类型"), max_length=20, choices=ChangeKind.choices, blank=True)
    person = models.ForeignKey(
        Person, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="applications"
    )
    # The employer that must confirm: the current one, or the new one for a change of employer.
    employer = models.ForeignKey(
        Enterprise, verbose_name=_("确认企业"), on_delete=models.PROTECT, related_name="applications"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("注册"),
        null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # Specialty codes the application concerns (registered, renewed, added or cancelled).
    specialties = models.JSONField(_("申请专业"), default=list)
    # Type-specific data (new personal data, the reason for cancellation, ...).
    details = models.JSONField(_("申请事项详情"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    accept_on = models.DateField(_("预计受理日期"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    receipt_number = models.CharField(_("受理凭证编号"), max_length=30, unique=True, null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    # Working days left on the review clock while it is stopped for supplementary material.
    paused_workdays_left = models.PositiveSmallIntegerField(_("暂停时剩余工作日"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定人"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reasons = models.JSONField(_("决定理由"), default=list, blank=True)
    comparison = models.JSONField(_("数据比对结果"), default=list, blank=True)

    class Meta:
        verbose_name = _("注册申请")
        verbose_name_plural = _("注册申请")
        indexes = [
            # The reviewer queue: open applications ordered by deadline.
            models.Index(fields=["status", "due_on"], name="app_queue_idx"),
            # The applicant's "my applications" page.
            models.Index(fields=["person", "-created_at"], name="app_person_idx"),
            # The employer's pending confirmations.
            models.Index(fields=["employer", "status"], name="app_employer_idx"),
            # The acceptance sweep.
            models.Index(fields=["status", "accept_on"], name="app_accept_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def specialty_names(self) -> list[str]:
        labels = dict(Specialty.choices)
        return [str(labels.get(code, code)) for code in self.specialties]


class MaterialKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("注册申请表")
    ID_DOCUMENT = "id_document", _("身份证明")
    QUALIFICATION = "qualification", _("资格证书")
    DIPLOMA = "diploma", _("学历证书")
    CONTRACT = "contract", _("劳动合同或聘用证明")
    PHOTO = "photo", _("一寸免冠照片")
    SIGNATURE = "signature", _("本人手写签名图片")
    EDUCATION = "education", _("继续教育证明或承诺书")
    TERMINATION = "termination", _("解除劳动合同证明或工作调动证明")
    CHANGE_PROOF = "change_proof", _("信息变更证明")
    PASS_PROOF = "pass_proof", _("增项专业考试合格证明")
    CANCELLATION_PROOF = "cancellation_proof", _("符合注销注册情形的相关证明")


class Material(models.Model):
    """An uploaded scan, decoded and re-encoded before storage."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("材料类型"), max_length=30, choices=MaterialKind.choices)
    storage_name = models.CharField(_("存储文件名"), max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件格式"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256 摘要"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), default=clock.now)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["kind", "uploaded_at"]


class ApplicationTransition(models.Model):
    """Append-only history of an application: the timeline the applicant and employer see."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="transitions"
    )
    at = models.DateTimeField(_("时间"), default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ApplicationStatus.choices)
    action = models.CharField(_("操作"), max_length=30)
    reason = models.TextField(_("原因"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"])]


class RegistrationTransition(models.Model):
    """Append-only history of a registration (created, specialties changed, cancelled)."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("注册"), on_delete=models.CASCADE, related_name="transitions"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("时间"), default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    action = models.CharField(_("操作"), max_length=30)
    reason = models.TextField(_("原因"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("注册变动记录")
        verbose_name_plural = _("注册变动记录")
        ordering = ["at", "pk"]


class Counter(models.Model):
    """Named sequences (application references, receipts, registration serials), incremented under lock."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    value = models.PositiveIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")


class RefusalDecision(models.Model):
    """The 不予许可决定书 issued with a refusal: stored as issued, so the letter never changes later.

    Its number is 渝建二建不许〔YYYY〕NNNN号, NNNN counting the letters of that year from 0001; the number
    and the text are fixed in the refusal's own transaction.
    """

    application = models.OneToOneField(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="refusal_decision"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    document_number = models.CharField(_("决定书编号"), max_length=40, unique=True)
    authority_name = models.CharField(_("作出决定的机关"), max_length=100)
    applicant_name = models.CharField(_("申请人"), max_length=50)
    applicant_id_masked = models.CharField(_("证件号码（部分隐藏）"), max_length=30)
    employer_name = models.CharField(_("聘用企业"), max_length=100, blank=True)
    application_reference = models.CharField(_("申请编号"), max_length=30)
    matter = models.CharField(_("申请事项"), max_length=100)
    specialties = models.CharField(_("申请专业"), max_length=200, blank=True)
    submitted_on = models.DateField(_("申请日期"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    reasons = models.JSONField(_("不予许可的理由"), default=list)
    decided_on = models.DateField(_("决定日期"))
    rights_notice = models.TextField(_("救济途径告知"))
    issued_at = models.DateTimeField(_("签发时间"))

    class Meta:
        verbose_name = _("不予许可决定书")
        verbose_name_plural = _("不予许可决定书")
        constraints = [models.UniqueConstraint(fields=["year", "serial"], name="uniq_refusal_serial_per_year")]

    def __str__(self) -> str:
        return self.document_number
