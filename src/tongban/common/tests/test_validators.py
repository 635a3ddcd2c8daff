"""ID numbers and credit codes against the standards themselves: the worked examples printed in
GB 11643-1999 (附录 A) and GB 32100-2015, and numbers whose check characters this test computes from the
standards' weights (``standards.py``) — never with the validator's own helper."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.common import validators as v
from tongban.common.choices import ApplicantKind

from .standards import (
    GB11643_WEIGHTS,
    GB32100_CHARSET,
    GB32100_WEIGHTS,
    gb11643_check,
    gb32100_check,
    wrong_check,
)

# GB 11643-1999 附录 A: 北京市朝阳区 1949-12-31 生的女性; 广东省汕头市潮阳县 1880-01-01 生的男性.
GB11643_EXAMPLES = ["11010519491231002X", "440524188001010014"]
# GB 32100-2015's worked example: 91350100M000100Y4 gives the check character 3 (sum 1640, 1640 mod 31 = 28,
# 31 - 28 = 3); the standard shows "91350100M000100Y4Z" being refused for that reason.
GB32100_EXAMPLE = "91350100M000100Y43"


def test_the_weights_are_the_standards_tables():
    assert GB11643_WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert GB32100_WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert len(GB32100_CHARSET) == 31 and not set("IOZSV") & set(GB32100_CHARSET)


def test_the_independent_formulas_reproduce_the_printed_examples():
    for number in GB11643_EXAMPLES:
        assert gb11643_check(number[:17]) == number[17]
    assert gb32100_check(GB32100_EXAMPLE[:17]) == "3"


@pytest.mark.parametrize("number", ["11010519491231002X", "440106199001011235"])
def test_valid_id_numbers_are_accepted(number):
    """The regression of issue 12: both were refused with 身份证号码校验位不正确."""
    assert v.validate_id_number(number) == number
    assert v.validate_id_number(number.lower()) == number
    assert v.id_check_char(number[:17]) == number[17]


def test_the_1880_example_has_a_correct_check_digit_but_an_implausible_birth_date():
    number = GB11643_EXAMPLES[1]
    assert v.id_check_char(number[:17]) == number[17]
    with pytest.raises(ValidationError) as exc:
        v.validate_id_number(number)
    assert exc.value.code == "birth_date"


@pytest.mark.parametrize("number", ["11010519491231002X", "440106199001011235"])
def test_a_wrong_check_digit_is_refused(number):
    for digit in "0123456789X":
        if digit == number[17]:
            continue
        with pytest.raises(ValidationError) as exc:
            v.validate_id_number(number[:17] + digit)
        assert exc.value.code == "checksum"
        assert "校验位" in exc.value.messages[0]


_birth = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))
_first17 = st.builds(
    lambda region, birth, seq: f"{region:06d}{birth:%Y%m%d}{seq:03d}",
    st.integers(110000, 659999),
    _birth,
    st.integers(0, 999),
)


@settings(max_examples=300, deadline=None)
@given(_first17, st.sampled_from("0123456789X"))
def test_id_numbers_accepted_exactly_when_the_standard_says(first17, last):
    number = first17 + last
    if last == gb11643_check(first17):
        assert v.validate_id_number(number) == number
    else:
        with pytest.raises(ValidationError) as exc:
            v.validate_id_number(number)
        assert exc.value.code == "checksum"


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from("123456789ANY"),
    st.sampled_from(GB32100_CHARSET),
    st.integers(0, 999999),
    st.text(GB32100_CHARSET, min_size=9, max_size=9),
    st.sampled_from(GB32100_CHARSET),
)
def test_credit_codes_accepted_exactly_when_the_standard_says(authority, kind, region, body, last):
    code = f"{authority}{kind}{region:06d}{body}{last}"
    if last == gb32100_check(code[:17]):
        assert v.validate_credit_code(code) == code
    else:
        with pytest.raises(ValidationError) as exc:
            v.validate_credit_code(code)
        assert exc.value.code == "checksum"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("12345", "format"),
        ("11010519491331002X", "birth_date"),  # month 13
        ("11010520991231002X", "birth_date"),  # future
    ],
)
def test_invalid_id_numbers(value, code):
    with pytest.raises(ValidationError) as exc:
        v.validate_id_number(value)
    assert exc.value.code == code


def test_unknown_birthplace_is_only_a_warning():
    first17 = "99010519491231002"
    number = first17 + gb11643_check(first17)
    assert v.validate_id_number(number) == number
    assert v.id_number_warnings(number)


def test_the_gb32100_example_is_accepted_and_its_counter_example_refused():
    assert v.validate_credit_code(GB32100_EXAMPLE.lower()) == GB32100_EXAMPLE
    assert v.uscc_check_char(GB32100_EXAMPLE[:17]) == "3"
    with pytest.raises(ValidationError) as exc:  # Z is not even in the charset
        v.validate_credit_code("91350100M000100Y4Z")
    assert exc.value.code == "charset"
    with pytest.raises(ValidationError) as exc:
        v.validate_credit_code(wrong_check(GB32100_EXAMPLE))
    assert exc.value.code == "checksum"


@pytest.mark.parametrize("first17", ["11100000000013127", "Y2440300MA5DKLMN8", "N2440300MA5DPQRT1"])
def test_credit_codes_of_every_authority_are_accepted(first17):
    """Letter-first codes (N 农业, Y 其他) are valid; python-stdnum's cn.uscc refuses them."""
    code = first17 + gb32100_check(first17)
    assert v.validate_credit_code(code) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100I43", "charset"),
        ("B1350100M000100Y43", "authority"),
        ("9135A100M000100Y43", "region"),
    ],
)
def test_invalid_credit_codes(value, code):
    with pytest.raises(ValidationError) as exc:
        v.validate_credit_code(value)
    assert exc.value.code == code


def test_identity_number_of_either_kind():
    assert v.validate_identity_number(" 11010519491231002x ") == (ApplicantKind.NATURAL, "11010519491231002X")
    assert v.validate_identity_number(GB32100_EXAMPLE) == (ApplicantKind.LEGAL, GB32100_EXAMPLE)
    with pytest.raises(ValidationError) as exc:  # looks like an ID number: the ID number's reason
        v.validate_identity_number(wrong_check("11010519491231002X"))
    assert "身份证号码校验位" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:  # otherwise the credit code's
        v.validate_identity_number(wrong_check(GB32100_EXAMPLE))
    assert "统一社会信用代码校验位" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        v.validate_identity_number("")
    assert exc.value.code == "required"


def test_masks():
    assert v.mask_id_number("44010119900101123X") == "4401**********123X"
    assert v.mask_name("张三明") == "张*明"
    assert v.mask_name("李四") == "李*"
    assert v.mask_mobile("13800138000") == "138****8000"


def test_mobile():
    assert v.validate_mobile("+86 138 0013 8000") == "13800138000"
    with pytest.raises(ValidationError):
        v.validate_mobile("12345")
