"""Masking of personal data (phone numbers, ID numbers, e-mail) for anyone but the data's owner."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****5678: keep the operator prefix and the last four digits."""
    digits = (phone or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(number: str) -> str:
    """110***********1234: keep the region prefix and the last four characters."""
    value = (number or "").strip()
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_email(address: str) -> str:
    local, _, domain = (address or "").partition("@")
    if not domain:
        return mask_id_number(address)
    return f"{local[:1]}***@{domain}"
