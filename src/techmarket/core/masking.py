"""Masking of personal data (phone numbers, ID numbers, e-mail) for anyone but the data's owner."""

from __future__ import annotations

MIN_HIDDEN = 4


def _mask(value: str, keep_start: int, keep_end: int = 4) -> str:
    """Keep the ends only while at least four characters stay hidden: short values reveal less."""
    value = (value or "").strip()
    if len(value) - keep_start - keep_end < MIN_HIDDEN:
        keep_start = 0
    if len(value) - keep_end < MIN_HIDDEN:
        return "*" * len(value)
    return f"{value[:keep_start]}{'*' * (len(value) - keep_start - keep_end)}{value[-keep_end:]}"


def mask_phone(phone: str) -> str:
    """138****5678: keep the operator prefix and the last four digits."""
    return _mask(phone, 3)


def mask_id_number(number: str) -> str:
    """110***********1234: keep the region prefix and the last four characters."""
    return _mask(number, 3)


def mask_email(address: str) -> str:
    local, _, domain = (address or "").partition("@")
    if not domain:
        return mask_id_number(address)
    return f"{local[:1]}***@{domain}"
