"""The model classes other apps may name (annotations, ``isinstance``); their rows come from selectors."""

from techmarket.conversations.models import Message, MessageAttachment, Participant, Thread

__all__ = ["Message", "MessageAttachment", "Participant", "Thread"]
