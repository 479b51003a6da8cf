"""Personal data shown to others keeps only enough to recognise it, and never most of a short value."""

import pytest

from techmarket.core.masking import mask_email, mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("027-87654321", "027*****4321"),
        ("0278765432", "******5432"),
        ("87654321", "****4321"),
        ("1234567", "*******"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["13812345678", "87654321", "1234567", "027-87654321"])
def test_at_least_four_characters_stay_hidden(phone):
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked.count("*") >= min(4, len(phone))


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110101199001011234", "110***********1234"),
        ("11010119900101123X", "110***********123X"),
        ("G12345678", "*****5678"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("zhangsan@example.org", "z***@example.org"),
        ("a@b.cn", "a***@b.cn"),
        ("no-at-sign", "******sign"),
        ("", ""),
    ],
)
def test_mask_email(address, masked):
    assert mask_email(address) == masked
