"""The signer factory and the certificate storage follow the settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from registry.certificates.sealing import get_sealing
from registry.seal import RemoteSigner, SoftwareSigner


def test_the_demo_signer_is_the_default_and_seals_with_the_demo_key(certificate_sandbox):
    sealing = get_sealing()
    assert isinstance(sealing.signer, SoftwareSigner)
    assert sealing.seal == (certificate_sandbox / "seal.esl").read_bytes()


def test_the_remote_signer_is_chosen_by_settings(settings, certificate_sandbox):
    settings.CERTIFICATE_SIGNER = "remote"
    settings.CERTIFICATE_SIGNER_URL = "https://sign.example.gov.cn/sign"
    settings.CERTIFICATE_SIGNER_TOKEN = "t" * 40
    settings.CERTIFICATE_SIGNER_CERT_FILE = str(certificate_sandbox / "signer.pem")
    settings.CERTIFICATE_SEAL_FILE = str(certificate_sandbox / "seal.esl")
    sealing = get_sealing()
    assert isinstance(sealing.signer, RemoteSigner) and sealing.trust_root is None
    assert sealing.seal == (certificate_sandbox / "seal.esl").read_bytes()


def test_an_unknown_signer_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CERTIFICATE_SIGNER = "pkcs11-typo"
    with pytest.raises(ImproperlyConfigured, match="demo or remote"):
        get_sealing()


def test_local_storage_is_a_private_folder_by_default(tmp_path):
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='registry.settings'; django.setup();"
            "from registry.certificates.sealing import certificate_storage as s; st=s();"
            "print(type(st).__name__, st.location, oct(st.file_permissions_mode), oct(st.directory_permissions_mode))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTIFICATE_STORAGE")}
    env["REGISTRY_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FileSystemStorage", str(tmp_path / "certificates"), "0o600", "0o700"]


def test_s3_storage_is_a_private_bucket_by_settings():
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='registry.settings'; django.setup();"
            "from registry.certificates.sealing import certificate_storage as s; st=s();"
            "print(type(st).__name__, st.bucket_name, st.default_acl, st.file_overwrite, st.endpoint_url)")
    env = {**os.environ, "CERTIFICATE_STORAGE": "s3", "CERTIFICATE_S3_BUCKET": "jzs-certificates",
           "CERTIFICATE_S3_ENDPOINT_URL": "https://oss.example.gov.cn"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "jzs-certificates", "private", "False", "https://oss.example.gov.cn"]
