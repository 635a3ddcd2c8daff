import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from tongban.common import validators as v


def make_id(prefix17: str) -> str:
    return prefix17 + ric.calc_check_digit(prefix17)


def test_valid_id_number_is_normalised():
    number = make_id("11010519491231002")
    assert v.validate_id_number(number.lower()) == number


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


def test_id_number_bad_checksum():
    number = make_id("11010519491231002")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        v.validate_id_number(wrong)
    assert exc.value.code == "checksum"
    assert "校验位" in exc.value.messages[0]


def test_unknown_birthplace_is_only_a_warning():
    number = make_id("99010519491231002")
    assert v.validate_id_number(number) == number
    assert v.id_number_warnings(number)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # enterprise
        "11100000000013127G",  # government body
        "Y2440300MA5DKLMN80",  # letter-first (other); the check character is recomputed below
    ],
)
def test_valid_credit_codes(code):
    code = code[:17] + v.uscc_check_char(code[:17])
    assert v.validate_credit_code(code.lower()) == code


def test_credit_code_starting_with_letter_is_accepted_where_stdnum_rejects_it():
    from stdnum.cn import uscc

    first17 = "N2440300MA5DPQRT1"
    code = first17 + v.uscc_check_char(first17)
    assert v.validate_credit_code(code) == code
    assert not uscc.is_valid(code)


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


def test_credit_code_checksum():
    first17 = "91350100M000100Y4"
    good = v.uscc_check_char(first17)
    bad = "0" if good != "0" else "1"
    with pytest.raises(ValidationError) as exc:
        v.validate_credit_code(first17 + bad)
    assert exc.value.code == "checksum"


def test_masks():
    assert v.mask_id_number("44010119900101123X") == "4401**********123X"
    assert v.mask_name("张三明") == "张*明"
    assert v.mask_name("李四") == "李*"
    assert v.mask_mobile("13800138000") == "138****8000"


def test_mobile():
    assert v.validate_mobile("+86 138 0013 8000") == "13800138000"
    with pytest.raises(ValidationError):
        v.validate_mobile("12345")
