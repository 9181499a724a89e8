"""The JSON API against its own OpenAPI document (schemathesis): no server error, every response conforms."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

pytestmark = pytest.mark.django_db


def test_the_api_conforms_to_its_schema(settings):
    """Every operation, up to 50 generated requests each: no 5xx, status, headers and body as documented."""
    settings.VERIFY_RATE_PER_MINUTE = 10_000
    cache.clear()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    # A registration number's format is checked by the form, finer than the schema's string: a
    # schema-valid but malformed number is rightly refused with the documented 400 (and a full
    # upload, with 413); nothing else may refuse schema-valid data.
    schema.config.checks.positive_data_acceptance.expected_statuses = ["2xx", "400", "413", "429"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate()

        run()


def test_the_openapi_document_documents_429_and_the_upload_body(client):
    document = client.get("/api/openapi.json").json()
    for path in ("/api/certificates/{public_id}", "/api/search", "/api/check"):
        for operation in document["paths"][path].values():
            assert "429" in operation["responses"]
    body = document["paths"]["/api/check"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["properties"]["file"]["format"] == "binary"
    assert client.get("/api/docs").status_code == 404  # no docs page loading scripts from a CDN
