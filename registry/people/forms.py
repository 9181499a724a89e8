"""Forms of the identity pages, with Chinese messages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from registry.identifiers import InvalidIdentifier, parse_resident_id
from registry.people.models import FacePurpose


class LegacyPasswordForm(forms.Form):
    username = forms.CharField(label=_("原系统用户名"), max_length=150,
                               error_messages={"required": _("请输入原系统用户名。")})
    password = forms.CharField(label=_("原系统密码"), widget=forms.PasswordInput, max_length=128,
                               error_messages={"required": _("请输入原系统密码。")})


class OnsiteDecisionForm(forms.Form):
    DECISIONS = [("approve", _("认证通过")), ("refuse", _("不予认证"))]

    decision = forms.ChoiceField(label=_("认证结论"), choices=DECISIONS, widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择认证结论。")})
    is_agent = forms.BooleanField(label=_("由代办人办理（非法定代表人本人）"), required=False)
    checked_licence = forms.BooleanField(label=_("已核验营业执照原件"), required=False)
    checked_qualification = forms.BooleanField(label=_("已核验资质证书原件"), required=False)
    checked_authorisation = forms.BooleanField(label=_("已核验法定代表人授权书（代办时）"), required=False)
    licence_scan = forms.FileField(label=_("营业执照扫描件"), required=False)
    qualification_scan = forms.FileField(label=_("资质证书扫描件"), required=False)
    authorisation_scan = forms.FileField(label=_("法定代表人授权书扫描件"), required=False)
    reason = forms.CharField(label=_("意见或不予认证原因"), required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))
    credit_code_override = forms.CharField(
        label=_("信用代码校验覆盖原因（仅当校验未通过时填写）"), required=False, max_length=200,
        help_text=_("例如：已与营业执照原件核对一致，该代码为登记机关实际核发。"),
    )


class OperatorForm(forms.Form):
    username = forms.RegexField(label=_("账号名"), regex=r"^[A-Za-z0-9_.-]{3,40}$", max_length=40,
                                error_messages={"invalid": _("账号名只能包含字母、数字、下划线、点和连字符，3至40位。"),
                                                "required": _("请输入账号名。")})
    full_name = forms.CharField(label=_("经办人姓名"), max_length=50, error_messages={"required": _("请输入经办人姓名。")})
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, max_length=128,
                               help_text=_("经办人首次登录时须修改密码。"),
                               error_messages={"required": _("请输入初始密码。")})
    can_confirm = forms.BooleanField(label=_("可确认注册申请"), required=False)

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class PersonLookupForm(forms.Form):
    """Find a person by ID number and name (posted, never in a URL)."""

    id_number = forms.CharField(label=_("身份证件号码"), max_length=18,
                                error_messages={"required": _("请输入身份证件号码。")})
    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("请输入姓名。")})

    def clean_id_number(self):
        try:
            return parse_resident_id(self.cleaned_data["id_number"]).number
        except InvalidIdentifier:
            raise forms.ValidationError(_("身份证件号码格式或校验位不正确。")) from None


DOCUMENTS = [
    ("居民身份证原件", _("居民身份证原件")),
    ("临时居民身份证", _("临时居民身份证")),
    ("港澳台居民居住证", _("港澳台居民居住证")),
]


class OnsiteFaceForm(forms.Form):
    purposes = forms.MultipleChoiceField(label=_("核验用途"), choices=FacePurpose.choices,
                                         widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": _("请至少选择一项核验用途。")})
    document_seen = forms.ChoiceField(label=_("核验的证件"), choices=DOCUMENTS)
    confirmed = forms.BooleanField(label=_("本人到场，证件真实有效，相貌与证件照片一致"),
                                   error_messages={"required": _("请确认已当面核验本人及证件。")})


# The audit log's searchable dates: the system's records begin after the first and end before the last.
AUDIT_FIRST_DATE, AUDIT_LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("操作（前缀）"), required=False, max_length=100)
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    ip = forms.GenericIPAddressField(label=_("来源地址"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def _clean_date(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not AUDIT_FIRST_DATE <= value <= AUDIT_LAST_DATE:
            raise forms.ValidationError(_("日期须在 %(first)s 至 %(last)s 之间。")
                                        % {"first": AUDIT_FIRST_DATE.isoformat(), "last": AUDIT_LAST_DATE.isoformat()})
        return value

    def clean_date_from(self) -> date | None:
        return self._clean_date("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_date("date_to")
