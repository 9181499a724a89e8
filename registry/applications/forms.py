"""Forms of the application pages; every message in Simplified Chinese."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from registry.applications.models import ApplicationType, ChangeKind, MaterialKind, Specialty
from registry.people.models import Enterprise


class NewApplicationForm(forms.Form):
    application_type = forms.ChoiceField(label=_("申请类型"), choices=ApplicationType.choices)
    change_kind = forms.ChoiceField(
        label=_("变更类型"), choices=[("", _("（仅变更注册填写）"))] + list(ChangeKind.choices), required=False
    )
    employer_credit_code = forms.CharField(
        label=_("聘用企业统一社会信用代码"), max_length=18, required=False,
        help_text=_("初始注册、重新注册和变更执业企业时填写；其他业务自动使用现聘用企业。"),
    )
    specialties = forms.MultipleChoiceField(
        label=_("注册专业"), choices=Specialty.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("变更注册不需要选择专业。"),
    )
    new_name = forms.CharField(label=_("变更后姓名"), max_length=50, required=False)
    new_mobile = forms.RegexField(label=_("变更后手机号码"), regex=r"^1[3-9][0-9]{9}$", max_length=11, required=False,
                                  error_messages={"invalid": _("手机号码应为以 1 开头的 11 位数字。"),
                                                  "max_length": _("手机号码应为以 1 开头的 11 位数字。")})
    enterprise_name = forms.CharField(label=_("变更后企业名称"), max_length=100, required=False)
    cancellation_reason = forms.CharField(label=_("注销原因"), max_length=200, required=False)

    # The fields each type of application asks for (the type itself comes with every form).
    FIELDS_BY_TYPE = {
        ApplicationType.INITIAL: ("employer_credit_code", "specialties"),
        ApplicationType.REREGISTRATION: ("employer_credit_code", "specialties"),
        ApplicationType.RENEWAL: ("specialties",),
        ApplicationType.ADD_SPECIALTY: ("specialties",),
        ApplicationType.CHANGE: ("change_kind",),
        ApplicationType.CANCELLATION: ("specialties", "cancellation_reason"),
    }
    # A change asks for the fields of its kind, chosen before the form (the kind itself comes with it).
    FIELDS_BY_CHANGE_KIND = {
        ChangeKind.EMPLOYER: ("employer_credit_code",),
        ChangeKind.PERSONAL: ("new_name", "new_mobile"),
        ChangeKind.ENTERPRISE: ("enterprise_name",),
    }

    def __init__(self, *args, application_type: str | None = None, change_kind: str | None = None, **kwargs):
        """Keep only the chosen type's (and change kind's) fields; posted values of other fields are ignored."""
        super().__init__(*args, **kwargs)
        self.chosen_type = application_type if application_type in ApplicationType.values else None
        self.chosen_change_kind = (change_kind if self.chosen_type == ApplicationType.CHANGE
                                   and change_kind in ChangeKind.values else None)
        if self.chosen_type is None:
            return
        self.fields["application_type"].initial = application_type
        self.fields["application_type"].choices = [
            (v, label) for v, label in ApplicationType.choices if v == application_type]
        keep = set(self.FIELDS_BY_TYPE[application_type]) | {"application_type"}
        if self.chosen_change_kind:
            keep |= set(self.FIELDS_BY_CHANGE_KIND[self.chosen_change_kind])
            self.fields["change_kind"].initial = self.chosen_change_kind
            self.fields["change_kind"].choices = [
                (v, label) for v, label in ChangeKind.choices if v == self.chosen_change_kind]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if self.chosen_change_kind == ChangeKind.EMPLOYER:
            self.fields["employer_credit_code"].label = _("新聘用企业统一社会信用代码")
            self.fields["employer_credit_code"].help_text = _("填写新聘用企业的18位统一社会信用代码。")
        if self.chosen_change_kind == ChangeKind.PERSONAL:
            self.fields["new_name"].help_text = _("姓名和手机号码至少填写一项。")

    def clean_employer_credit_code(self) -> Enterprise | None:
        code = (self.cleaned_data.get("employer_credit_code") or "").strip().upper()
        if not code:
            return None
        if len(code) != 18:
            raise forms.ValidationError(_("统一社会信用代码应为18位。"))
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("未找到该统一社会信用代码对应的企业，请确认企业已在本系统登记。"))
        return enterprise

    def clean(self):
        data = super().clean()
        kind = data.get("application_type")
        # A code that was filled in but refused already has its one message.
        code_refused = "employer_credit_code" in self.errors
        if kind == ApplicationType.CHANGE and not data.get("change_kind"):
            self.add_error("change_kind", _("请选择变更类型。"))
        if (kind in {ApplicationType.INITIAL, ApplicationType.REREGISTRATION} and not code_refused
                and not data.get("employer_credit_code")):
            self.add_error("employer_credit_code", _("请填写聘用企业的统一社会信用代码。"))
        if (kind == ApplicationType.CHANGE and data.get("change_kind") == ChangeKind.EMPLOYER and not code_refused
                and not data.get("employer_credit_code")):
            self.add_error("employer_credit_code", _("请填写新聘用企业的统一社会信用代码。"))
        if kind != ApplicationType.CHANGE and not data.get("specialties"):
            self.add_error("specialties", _("请至少选择一个注册专业。"))
        if kind == ApplicationType.CHANGE and data.get("change_kind") == ChangeKind.PERSONAL:
            if not (data.get("new_name") or data.get("new_mobile")):
                self.add_error("new_name", _("请填写需要变更的个人信息。"))
        if kind == ApplicationType.CHANGE and data.get("change_kind") == ChangeKind.ENTERPRISE and not data.get("enterprise_name"):
            self.add_error("enterprise_name", _("请填写变更后的企业名称。"))
        if kind == ApplicationType.CANCELLATION and not data.get("cancellation_reason"):
            self.add_error("cancellation_reason", _("请填写注销原因。"))
        return data

    def details(self) -> dict:
        data = self.cleaned_data
        details = {}
        if data.get("new_name"):
            details["name"] = data["new_name"].strip()
        if data.get("new_mobile"):
            details["mobile"] = data["new_mobile"].strip()
        if data.get("enterprise_name"):
            details["enterprise_name"] = data["enterprise_name"].strip()
        if data.get("cancellation_reason"):
            details["cancellation_reason"] = data["cancellation_reason"].strip()
        return details


class EditApplicationForm(forms.Form):
    """Change an application the applicant may still edit (a draft, or one the employer returned)."""

    specialties = forms.MultipleChoiceField(
        label=_("注册专业"), choices=Specialty.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个注册专业。")},
    )
    employer_credit_code = forms.CharField(label=_("聘用企业统一社会信用代码"), max_length=18)
    clean_employer_credit_code = NewApplicationForm.clean_employer_credit_code

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        if application.type == ApplicationType.CHANGE:
            del self.fields["specialties"]
        if not (application.registration_id is None or application.change_kind == ChangeKind.EMPLOYER):
            del self.fields["employer_credit_code"]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=MaterialKind.choices)
    file = forms.FileField(label=_("文件（PDF、JPEG 或 PNG）"))

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        """Offer only the given material kinds (those the application needs), or all of them."""
        super().__init__(*args, **kwargs)
        if kinds:
            self.fields["kind"].choices = [(k, label) for k, label in MaterialKind.choices if k in kinds]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大：不能超过 %(mb)s MB。") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
        error_messages={"required": _("请填写原因。")},
    )


class RefuseForm(forms.Form):
    reasons = forms.CharField(
        label=_("不予注册理由（每行一条）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        error_messages={"required": _("请写明不予注册的理由。")},
    )

    def reason_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["reasons"].splitlines() if line.strip()]
