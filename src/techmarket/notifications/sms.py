"""Text messages: the sender interface and the default sender, which only writes a log line.

A real gateway is plugged in with ``TECHMARKET_SMS_SENDER`` (dotted path of a class with ``send``).
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from techmarket.core.masking import mask_phone

logger = logging.getLogger("techmarket.sms")


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send one message; raise on failure (the caller records it)."""


class LoggingSmsSender:
    """Writes the message to the ``techmarket.sms`` log with the number masked and keeps nothing else."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def get_sender() -> SmsSender:
    sender: SmsSender = import_string(settings.TECHMARKET["SMS_SENDER"])()
    return sender
