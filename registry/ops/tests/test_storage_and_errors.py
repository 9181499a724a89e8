"""Private storage by setting (local disk or an S3-compatible bucket), database URL options, Sentry hook."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from registry.env import parse_database_url
from registry.files import open_private
from registry.ops.storage import PrivateFileSystemStorage, private_storage
from registry.ops.tests.helpers import PRODUCTION, run_python


def test_private_files_live_under_the_private_root_and_have_no_url(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "p1"
    storage = private_storage()
    assert isinstance(storage, PrivateFileSystemStorage)
    name = storage.save("materials/1/a.pdf", ContentFile(b"%PDF-1.4"))
    assert (tmp_path / "p1" / name).read_bytes() == b"%PDF-1.4"
    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "p2"  # a changed setting takes effect at once
    assert storage.location == str(tmp_path / "p2")


def test_a_name_outside_private_storage_is_not_found(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    (tmp_path / "secret.txt").write_text("outside")
    with pytest.raises(FileNotFoundError):
        open_private("../secret.txt")


def test_the_s3_setting_builds_a_private_bucket_storage():
    code = ("from django.conf import settings; import json\n"
            "print(json.dumps([settings.STORAGES['private'], settings.STORAGES['default']]))")
    env = {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "cq-registry", "MEDIA_S3_ENDPOINT_URL": "https://oss.example.gov.cn",
           "MEDIA_S3_ACCESS_KEY_ID": "AK", "MEDIA_S3_SECRET_ACCESS_KEY": "SK", "MEDIA_S3_PREFIX": "private"}
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    import json

    private, default = json.loads(result.stdout)
    assert private == default and private["BACKEND"] == "storages.backends.s3.S3Storage"
    options = private["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["location"]) == (
        "cq-registry", "https://oss.example.gov.cn", "private")
    assert options["default_acl"] == "private" and options["querystring_auth"] and not options["file_overwrite"]


def test_an_unknown_media_storage_is_refused():
    result = run_python("", {"MEDIA_STORAGE": "ftp"})
    assert result.returncode != 0 and "MEDIA_STORAGE" in result.stderr


def test_database_url_options_for_connection_reuse():
    kept = parse_database_url("postgres://u@h/db?connect_timeout=3", "/srv")
    assert kept["CONN_MAX_AGE"] == 60 and kept["CONN_HEALTH_CHECKS"] is True
    assert kept["OPTIONS"] == {"connect_timeout": "3", "prepare_threshold": 0}
    assert parse_database_url("postgres://u@h/db?prepare_threshold=off", "/srv")["OPTIONS"] == {"prepare_threshold": None}
    pooled = parse_database_url("postgres://u@h/db?pool=true", "/srv")
    assert pooled["OPTIONS"]["pool"] is True and pooled["CONN_MAX_AGE"] == 0
    sized = parse_database_url("postgres://u@h/db?pool_min_size=2&pool_max_size=8", "/srv")
    assert sized["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8} and sized["CONN_MAX_AGE"] == 0


SENTRY_STATE = """
import sentry_sdk
client = sentry_sdk.get_client()
print(client.is_active(), client.options.get('send_default_pii'), client.options.get('max_request_body_size'))
"""


def test_sentry_starts_only_with_a_dsn_and_never_sends_personal_data():
    off = run_python(SENTRY_STATE, PRODUCTION)
    assert off.returncode == 0, off.stderr
    assert off.stdout.split()[0] == "False"
    on = run_python(SENTRY_STATE, {**PRODUCTION, "SENTRY_DSN": "https://public@127.0.0.1:9/1"})
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["True", "False", "never"]
