"""The audit log's search form."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The audit log's searchable dates: the system's records begin after the first and end before the last.
AUDIT_FIRST_DATE, AUDIT_LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=gettext_lazy("操作（前缀）"), required=False, max_length=100)
    actor = forms.CharField(label=gettext_lazy("操作人账号"), required=False, max_length=150)
    ip = forms.GenericIPAddressField(label=gettext_lazy("来源地址"), required=False)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

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
