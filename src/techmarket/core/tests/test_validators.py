"""National codes: the unified social credit code (GB 32100-2015) and region codes (GB/T 2260)."""

import pytest
from django.core.exceptions import ValidationError

from techmarket.core.validators import (
    USCC_ALPHABET,
    uscc_check_character,
    validate_region_code,
    validate_uscc,
)


def independent_check_character(first17: str) -> str:
    """The standard's own formulation: weights are 3^(i) mod 31, check = 31 − (Σ mod 31), 31 ↦ 0."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return alphabet[(31 - total % 31) % 31]


# Published example codes and codes computed with the formula above.
VALID = ["91350100M000100Y43", "91110000802100433B", "91420100MA4K2XY3B9", "121000004000000010"]


def test_alphabet_leaves_out_confusable_letters():
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    validate_uscc(code)
    validate_uscc(code.lower())
    validate_uscc(f"  {code} ")
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    "body",
    ["91420100MA4K2XY3B", "12100000400000001", "5133000050000000X", "00000000000000000", "YYYYYYYYYYYYYYYYY"],
)
def test_check_character_matches_the_standard(body):
    assert uscc_check_character(body) == independent_check_character(body)


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91350100M000100Y44", "uscc_check"),
        ("91350100M000100Y4", "uscc_length"),
        ("", "uscc_length"),
        (None, "uscc_length"),
        ("91350100M000100YO3", "uscc_chars"),
        ("9135010SM000100Y43", "uscc_chars"),
        ("91350100M00010０Y43", "uscc_chars"),  # a full-width digit
    ],
)
def test_invalid_codes(code, error_code):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert caught.value.code == error_code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.messages[0])


def test_every_single_character_change_is_caught():
    """A one-character typo anywhere in the first 17 changes the check character."""
    code = VALID[0]
    for position in range(17):
        for replacement in USCC_ALPHABET:
            if replacement == code[position]:
                continue
            typo = code[:position] + replacement + code[position + 1 :]
            with pytest.raises(ValidationError):
                validate_uscc(typo)


@pytest.mark.parametrize("code", ["420100", "110000"])
def test_region_codes(code):
    validate_region_code(code)


@pytest.mark.parametrize("code", ["42010", "4201000", "42010A", "", "４２０１００"])
def test_bad_region_codes(code):
    with pytest.raises(ValidationError):
        validate_region_code(code)
