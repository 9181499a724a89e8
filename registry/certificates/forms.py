"""Forms of the holders' pages."""

from __future__ import annotations

from django import forms


class ClaimForm(forms.Form):
    paper_number = forms.CharField(label="纸质注册证书编号", max_length=32)
    signature = forms.FileField(label="手写签名照片", help_text="在白纸上用深色笔签名后拍照，JPEG 或 PNG，系统会自动裁切并去除背景")
    photo = forms.FileField(label="一寸免冠照片", required=False,
                            help_text="JPEG 或 PNG；系统中已有您的照片时可不上传")
