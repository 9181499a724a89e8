"""The one masking policy: what the public, the printed certificate and staff see of an ID number."""

from __future__ import annotations

from registry.masking import CERTIFICATE, PUBLIC, STAFF, mask_id_number
from registry.testing import id_number

NUMBER = id_number("50010319900101123")


def test_the_public_sees_the_first_three_and_last_two_characters():
    assert mask_id_number(NUMBER) == PUBLIC.apply(NUMBER) == NUMBER[:3] + "*" * 13 + NUMBER[-2:]


def test_the_certificate_prints_the_first_six_and_last_four():
    assert CERTIFICATE.apply("50010119880307123X") == "500101********123X"


def test_staff_see_the_whole_number_and_a_short_value_is_hidden_entirely():
    assert STAFF.apply(NUMBER) == NUMBER
    assert PUBLIC.apply("12345") == "*****" and CERTIFICATE.apply("0123456789") == "*" * 10
