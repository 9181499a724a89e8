"""Forms of the holders' pages."""

from __future__ import annotations

from django import forms

from registry.identifiers import InvalidIdentifier, parse_registration_number


class ClaimForm(forms.Form):
    paper_number = forms.CharField(label="纸质注册证书编号", max_length=32)
    signature = forms.FileField(label="手写签名照片", help_text="在白纸上用深色笔签名后拍照，JPEG 或 PNG，系统会自动裁切并去除背景")
    photo = forms.FileField(label="一寸免冠照片", required=False,
                            help_text="JPEG 或 PNG；系统中已有您的照片时可不上传")


class RegistrySearchForm(forms.Form):
    """The public registry lookup: both fields, matched exactly (no listing, no partial match)."""

    registration_number = forms.CharField(label="注册编号", max_length=20)
    name = forms.CharField(label="姓名", max_length=50)

    def clean_registration_number(self) -> str:
        """Accept a 17-character number or an old 13-character one (converted to the national form)."""
        try:
            return parse_registration_number(self.cleaned_data["registration_number"]).number
        except InvalidIdentifier:
            raise forms.ValidationError("注册编号格式不正确，请按证书上的注册编号填写（如“渝2502021202300001”）。") from None
