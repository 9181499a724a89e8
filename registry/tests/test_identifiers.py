"""Identifier checks, against the verified vectors of domain-rules §4.2 and §5."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.identifiers import (
    LICENCE_ROOT,
    USCC_ALPHABET,
    IdKind,
    InvalidIdentifier,
    Sex,
    build_licence_identifier,
    convert_legacy_resident_id,
    convert_registration_number,
    format_registration_number,
    mod37_36_check_char,
    organisation_code_check_char,
    parse_credit_code,
    parse_licence_identifier,
    parse_organisation_code,
    parse_registration_number,
    parse_resident_id,
    resident_id_check_char,
    uscc_check_char,
)


def error_code(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidIdentifier) as info:
        call(*args, **kwargs)
    assert info.value.message  # every refusal carries a sentence for the user
    return info.value.code


# --- resident ID -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), Sex.FEMALE),
        ("440524188001010014", date(1880, 1, 1), Sex.MALE),
        ("370101190102039973", date(1901, 2, 3), Sex.MALE),
    ],
)
def test_it_accepts_the_standard_vectors_and_decodes_birth_date_and_sex(number, born, sex):
    result = parse_resident_id(number)
    assert result.number == number
    assert result.birth_date == born
    assert result.sex == sex
    assert result.kind == IdKind.RESIDENT
    assert result.legacy_number is None


def test_it_upper_cases_a_trailing_lower_case_x_and_strips_spaces():
    assert parse_resident_id(" 11010519491231002x ").number == "11010519491231002X"


def test_it_refuses_a_wrong_check_character_with_a_chinese_message():
    with pytest.raises(InvalidIdentifier) as info:
        parse_resident_id("110105194912310021")
    assert info.value.code == "id.check"
    assert info.value.message == "身份证号码校验位错误"
    assert str(info.value) == "身份证号码校验位错误"


def test_it_converts_a_15_digit_legacy_number_to_18():
    result = parse_resident_id("110105491231002")
    assert result.number == "11010519491231002X"
    assert result.legacy_number == "110105491231002"
    assert result.birth_date == date(1949, 12, 31)
    assert convert_legacy_resident_id("110105491231002") == "11010519491231002X"


def test_it_refuses_to_convert_a_number_that_is_already_18_characters():
    assert error_code(convert_legacy_resident_id, "11010519491231002X") == "id.length"


def test_it_refuses_a_legacy_number_with_an_impossible_date():
    assert error_code(parse_resident_id, "110105490230002") == "id.birth_date"


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [("810000", IdKind.HONG_KONG_PERMIT), ("820000", IdKind.MACAO_PERMIT), ("830000", IdKind.TAIWAN_PERMIT)],
)
def test_it_accepts_residence_permits_of_hong_kong_macao_and_taiwan_residents(prefix, kind):
    first17 = prefix + "19900101" + "003"
    result = parse_resident_id(first17 + resident_id_check_char(first17))
    assert result.kind == kind
    assert result.sex == Sex.MALE


def test_it_refuses_an_83_prefix_that_is_not_the_taiwan_permit_prefix():
    first17 = "830100" + "19900101" + "003"
    assert error_code(parse_resident_id, first17 + resident_id_check_char(first17)) == "id.region"


def test_it_refuses_an_unknown_province_prefix_even_with_a_correct_check():
    first17 = "990105" + "19491231" + "002"
    assert error_code(parse_resident_id, first17 + resident_id_check_char(first17)) == "id.region"


@pytest.mark.parametrize("birth", ["19490230", "19491301", "17991231"])
def test_it_refuses_an_impossible_birth_date_even_with_a_correct_check(birth):
    first17 = "500101" + birth + "002"
    assert error_code(parse_resident_id, first17 + resident_id_check_char(first17)) == "id.birth_date"


def test_it_refuses_a_birth_date_after_today_when_today_is_given():
    first17 = "500101" + "20261125" + "002"
    number = first17 + resident_id_check_char(first17)
    assert parse_resident_id(number).birth_date == date(2026, 11, 25)
    assert error_code(parse_resident_id, number, today=date(2026, 11, 24)) == "id.birth_date"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "id.empty"),
        ("11010519491231002", "id.length"),
        ("1101051949123100XX", "id.charset"),
        ("11010519491231002Y", "id.charset"),
        ("１１０１０５１９４９１２３１００２X", "id.charset"),  # full-width digits
    ],
)
def test_it_refuses_malformed_numbers_with_a_specific_code(text, code):
    assert error_code(parse_resident_id, text) == code


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 11, 24))
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")
regions = st.sampled_from(["500101", "500235", "110105", "440524", "810000", "820000", "830000"])


@given(regions, birth_dates, sequences)
def test_any_well_formed_number_with_its_computed_check_character_validates(region, born, seq):
    first17 = region + born.strftime("%Y%m%d") + seq
    result = parse_resident_id(first17 + resident_id_check_char(first17))
    assert result.birth_date == born
    assert result.sex == (Sex.MALE if int(seq) % 2 else Sex.FEMALE)


@given(regions, birth_dates, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_changing_any_one_digit_is_always_refused(region, born, seq, position, delta):
    first17 = region + born.strftime("%Y%m%d") + seq
    number = first17 + resident_id_check_char(first17)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        parse_resident_id(changed)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_check_character_of_any_17_digits_is_one_of_the_eleven(first17):
    assert resident_id_check_char(first17) in "10X98765432"


# --- unified social credit code --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "11100000000013338W",
        "12110000400777687U",
        "11110000000021135M",
        "11320000MB151840XJ",
        "91512081MA62K0260E",
    ],
)
def test_it_accepts_the_verified_credit_codes_without_warnings(code):
    result = parse_credit_code(code)
    assert result.is_fully_valid
    assert result.warnings == ()
    assert result.organisation_code == code[8:17]


def test_it_splits_a_credit_code_into_its_parts():
    result = parse_credit_code("91512081MA62K0260E")
    assert (result.registration_authority, result.category, result.region_code) == ("9", "1", "512081")
    assert parse_organisation_code("MA62K026-0") == result.organisation_code


def test_it_refuses_the_standards_misprinted_example_because_z_is_not_in_the_alphabet():
    assert error_code(parse_credit_code, "91350100M000100Y4Z") == "uscc.charset"


def test_the_standards_example_with_its_correct_check_character_is_accepted():
    assert parse_credit_code("91350100M000100Y43").is_fully_valid


def test_a_wrong_check_character_is_a_warning_not_a_refusal():
    result = parse_credit_code("91350100M000100Y40")
    assert not result.is_fully_valid
    assert [w.code for w in result.warnings] == ["uscc.check"]
    assert "校验位" in result.warnings[0].message
    assert result.number == "91350100M000100Y40"


def test_a_wrong_embedded_organisation_code_is_also_a_warning():
    # Replace the organisation code's check character and recompute the credit code's own check.
    first17 = "91512081MA62K0261"
    result = parse_credit_code(first17 + uscc_check_char(first17))
    assert [w.code for w in result.warnings] == ["org.check"]


def test_it_upper_cases_a_lower_case_credit_code():
    assert parse_credit_code("91512081ma62k0260e").number == "91512081MA62K0260E"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "uscc.empty"),
        ("91512081MA62K0260", "uscc.length"),
        ("91512081MA62K0260EE", "uscc.length"),
        ("91512081MA62KO260E", "uscc.charset"),
    ],
)
def test_it_refuses_a_credit_code_of_wrong_length_or_characters(text, code):
    assert error_code(parse_credit_code, text) == code


def test_it_refuses_an_organisation_code_with_a_wrong_check_character():
    assert error_code(parse_organisation_code, "MA62K026-1") == "org.check"
    assert error_code(parse_organisation_code, "MA62K026") == "org.length"


uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(uscc_bodies)
def test_any_17_characters_with_the_computed_check_pass_the_credit_code_check(first17):
    result = parse_credit_code(first17 + uscc_check_char(first17))
    assert "uscc.check" not in [w.code for w in result.warnings]


@given(uscc_bodies, st.integers(0, 16), st.integers(1, 30))
def test_changing_one_character_of_a_credit_code_is_flagged(first17, position, delta):
    number = first17 + uscc_check_char(first17)
    new_char = USCC_ALPHABET[(USCC_ALPHABET.index(number[position]) + delta) % 31]
    changed = number[:position] + new_char + number[position + 1 :]
    assert "uscc.check" in [w.code for w in parse_credit_code(changed).warnings]


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
def test_an_organisation_code_with_its_computed_check_validates(first8):
    assert parse_organisation_code(first8 + organisation_code_check_char(first8)) == first8 + (
        organisation_code_check_char(first8)
    )


# --- registration number ---------------------------------------------------------------------------


def test_it_formats_a_chongqing_registration_number():
    number = format_registration_number(qualification_year=2019, registration_year=2021, serial=1)
    assert number == "渝2502019202100001"


def test_it_parses_a_17_character_registration_number():
    result = parse_registration_number("渝2502019202100001")
    assert (result.province_abbr, result.level, result.province_code) == ("渝", 2, "50")
    assert (result.qualification_year, result.registration_year, result.serial) == (2019, 2021, 1)
    assert result.legacy_number is None


def test_it_converts_an_old_13_character_number_to_the_national_format():
    result = parse_registration_number("京111050700001")
    assert result.number == "京1112005200700001"
    assert result.legacy_number == "京111050700001"
    assert convert_registration_number("渝250101200123") == "渝2502010201200123"


def test_the_employer_province_may_differ_from_chongqing():
    assert parse_registration_number("渝2422015201800007").province_code == "42"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("渝250201920210001", "regno.format"),  # 16 characters
        ("Y2502019202100001", "regno.format"),
        ("渝3502019202100001", "regno.level"),
        ("渝2982019202100001", "regno.province"),
        ("渝2502022202100001", "regno.years"),  # qualified after registering
        ("渝2502005200600001", "regno.too_early"),
        ("渝2502019202100000", "regno.serial"),
    ],
)
def test_it_refuses_bad_registration_numbers(text, code):
    assert error_code(parse_registration_number, text) == code


def test_it_refuses_a_registration_year_after_today_when_today_is_given():
    assert (
        error_code(parse_registration_number, "渝2502026202700001", today=date(2026, 11, 24))
        == "regno.future"
    )


def test_format_refuses_a_serial_that_does_not_fit_five_digits():
    with pytest.raises(InvalidIdentifier):
        format_registration_number(qualification_year=2019, registration_year=2021, serial=100000)


@given(
    st.integers(2004, 2026).flatmap(lambda q: st.tuples(st.just(q), st.integers(max(q, 2007), 2026))),
    st.integers(1, 99999),
)
def test_formatting_then_parsing_gives_back_the_parts(years, serial):
    qualification_year, registration_year = years
    number = format_registration_number(
        qualification_year=qualification_year, registration_year=registration_year, serial=serial
    )
    result = parse_registration_number(number)
    assert (result.qualification_year, result.registration_year, result.serial) == years + (serial,)


# --- e-licence identifier --------------------------------------------------------------------------

REAL_LICENCE_IDENTIFIERS = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
    "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]


@pytest.mark.parametrize("identifier", REAL_LICENCE_IDENTIFIERS)
def test_the_three_real_licence_identifiers_validate(identifier):
    result = parse_licence_identifier(identifier)
    assert result.identifier == identifier
    assert build_licence_identifier(result.type_code, result.issuer_code, result.serial, result.version) == (
        identifier
    )


def test_it_splits_a_licence_identifier():
    result = parse_licence_identifier(REAL_LICENCE_IDENTIFIERS[0])
    assert result.type_code == "11100000000013338W011"
    assert result.issuer_code == "11430000006122244L"
    assert (result.serial, result.version, result.check_char) == ("20230000403", 2, "S")


def test_it_refuses_a_licence_identifier_with_a_wrong_check_character():
    assert error_code(parse_licence_identifier, REAL_LICENCE_IDENTIFIERS[0][:-1] + "T") == "licence.check"


@pytest.mark.parametrize(
    "text",
    [
        "1.2.156.3005.1.11100000000013338W011.11430000006122244L.20230000403.002.S",  # wrong root
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.02.S",  # 2-digit version
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0000403.002.S",
    ],
)
def test_it_refuses_a_malformed_licence_identifier(text):
    assert error_code(parse_licence_identifier, text) == "licence.format"


def test_a_new_version_of_the_same_certificate_gets_a_new_check_character():
    first = build_licence_identifier("11100000000013338W001", "11500000MB1234567X", "2026112400001", 1)
    second = build_licence_identifier("11100000000013338W001", "11500000MB1234567X", "2026112400001", 2)
    assert first.startswith(LICENCE_ROOT + ".")
    assert first[:-6] == second[:-6]
    assert (first[-5:-2], second[-5:-2]) == ("001", "002")
    assert first[-1] == mod37_36_check_char("11100000000013338W00111500000MB1234567X2026112400001001")
    assert parse_licence_identifier(second).version == 2


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=40), st.data())
def test_mod37_36_detects_every_single_character_substitution(payload, data):
    check = mod37_36_check_char(payload)
    position = data.draw(st.integers(0, len(payload) - 1))
    replacement = data.draw(
        st.sampled_from([c for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c != payload[position]])
    )
    changed = payload[:position] + replacement + payload[position + 1 :]
    assert mod37_36_check_char(changed) != check
