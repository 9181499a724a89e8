"""The sample_certificate command writes a sealed certificate that verifies."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from registry.ofd.reader import read_ofd


def test_it_writes_a_sealed_certificate_and_reports_it_valid(tmp_path, settings):
    settings.SEAL_KEY_DIR = tmp_path / "seal"
    settings.SITE_BASE_URL = "https://zfcxjw.cq.gov.cn/jzs"
    out = StringIO()
    target = tmp_path / "out" / "sample.ofd"
    call_command("sample_certificate", str(target), stdout=out)
    printed = out.getvalue()
    assert str(target) in printed
    assert "verification: valid" in printed
    document = read_ofd(target.read_bytes())
    assert len(document.signatures) == 1
    assert "重庆市住房和城乡建设委员会" in document.text
    assert (tmp_path / "seal").is_dir()


def test_it_stops_with_the_missing_character_in_chinese(tmp_path, settings):
    settings.SEAL_KEY_DIR = tmp_path / "seal"
    with pytest.raises(CommandError, match="U\\+E000"):
        call_command("sample_certificate", str(tmp_path / "x.ofd"), "--name", "张\ue000", stdout=StringIO())
