"""The verification link: keyed, short, without personal data."""

from __future__ import annotations

import re

import pytest

from registry.certificates.verification import (
    check_value,
    new_public_id,
    verification_url,
    verify_check_value,
)


def test_the_check_value_is_eight_base32_characters():
    value = check_value("K7Q2M9X4TZ8WD3FA", "secret")
    assert re.fullmatch(r"[A-Z2-7]{8}", value)
    assert value == check_value("K7Q2M9X4TZ8WD3FA", b"secret")


def test_the_check_value_never_changes():
    """Printed QR codes carry it: HMAC-SHA256 of "certificate-verification:" and the id, the first 8 base32 characters."""
    assert check_value("K7Q2M9X4TZ8WD3FA", "secret") == "SBCP3VWE"
    assert check_value("ABCDEFGHJKLMNPQR", "k" * 43) == "J55L7YFO"


def test_the_check_value_depends_on_the_key_and_the_identifier():
    assert check_value("K7Q2M9X4TZ8WD3FA", "secret") != check_value("K7Q2M9X4TZ8WD3FA", "other")
    assert check_value("K7Q2M9X4TZ8WD3FA", "secret") != check_value("K7Q2M9X4TZ8WD3FB", "secret")


def test_it_verifies_a_check_value_ignoring_case_and_spaces():
    value = check_value("ABC", "secret")
    assert verify_check_value("ABC", value, "secret")
    assert verify_check_value("ABC", f" {value.lower()} ", "secret")
    assert not verify_check_value("ABC", "AAAAAAAA", "secret")
    assert not verify_check_value("ABC", "", "secret")
    assert not verify_check_value("ABC", "验证码", "secret")


def test_the_url_carries_only_the_public_id_and_the_check():
    url = verification_url("https://zfcxjw.cq.gov.cn/jzs/verify/", "K7Q2M9X4TZ8WD3FA", "secret")
    assert (
        url
        == f"https://zfcxjw.cq.gov.cn/jzs/verify/K7Q2M9X4TZ8WD3FA?c={check_value('K7Q2M9X4TZ8WD3FA', 'secret')}"
    )


def test_it_refuses_plain_http_except_for_a_local_demo():
    with pytest.raises(ValueError, match="https"):
        verification_url("http://example.org/verify", "ABC", "secret")
    assert verification_url("http://127.0.0.1:8000/verify", "ABC", "secret").startswith(
        "http://127.0.0.1:8000/"
    )


def test_it_refuses_an_identifier_that_would_change_the_url():
    with pytest.raises(ValueError):
        verification_url("https://example.org/v", "a/b", "secret")
    with pytest.raises(ValueError):
        check_value("ABC", "")


def test_public_ids_are_random_tokens():
    first, second = new_public_id(), new_public_id()
    assert first != second and re.fullmatch(r"[A-Z2-7]{16}", first)
