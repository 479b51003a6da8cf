"""Password rules at the level expected of a government platform, each refusing with its own Chinese message.

Django's own validators are reused for the word list and similarity measure; the messages are ours so a
user reads one clear sentence per broken rule.
"""

from __future__ import annotations

import re
import string
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator, UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LengthValidator:
    """At least ``min_length`` characters (ten by default)."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码至少需要 %(min)d 个字符。") % {"min": self.min_length}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min)d 个字符。") % {"min": self.min_length}


def character_classes(password: str) -> int:
    """How many of lower-case letters, upper-case letters, digits and symbols the password uses."""
    classes = [
        any(ch.islower() for ch in password),
        any(ch.isupper() for ch in password),
        any(ch.isdigit() for ch in password),
        any(not ch.isalnum() or ch in string.punctuation for ch in password),
    ]
    return sum(classes)


class ComplexityValidator:
    """At least three of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)d 种。") % {"n": self.min_classes}


class NotSimilarToUserValidator(UserAttributeSimilarityValidator):
    """Not the username (nor containing it), nor too close to the name or e-mail address."""

    def validate(self, password: str, user: Any = None) -> None:
        username = str(getattr(user, "username", "") or "")
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_too_similar")
        try:
            super().validate(password, user)
        except ValidationError as error:
            raise ValidationError(
                _("密码与用户名、姓名或电子邮箱过于相似。"), code="password_too_similar"
            ) from error

    def get_help_text(self) -> str:
        return _("密码不能与用户名、姓名或电子邮箱相似。")


class NotCommonValidator(CommonPasswordValidator):
    """Not one of the twenty thousand most common passwords.

    A common word of six letters or more dressed up with digits and symbols ("Password123!") is refused
    too; shorter stems are not, since nearly every short word is on the list.
    """

    def validate(self, password: str, user: Any = None) -> None:
        stem = re.sub(r"[\W\d_]+", "", password.lower())
        candidates = {password.lower().strip()} | ({stem} if len(stem) >= 6 else set())
        if any(candidate in self.passwords for candidate in candidates):
            raise ValidationError(_("该密码过于常见，请换一个。"), code="password_too_common")

    def get_help_text(self) -> str:
        return _("密码不能是常见密码。")


class NotNumericValidator:
    """Not made of digits only."""

    def validate(self, password: str, user: Any = None) -> None:
        if password.isdigit():
            raise ValidationError(_("密码不能全部是数字。"), code="password_entirely_numeric")

    def get_help_text(self) -> str:
        return _("密码不能全部是数字。")
