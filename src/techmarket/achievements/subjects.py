"""What achievements tell conversations about threads on a record (``conversations.subjects``): the
record's page. Nobody joins a thread about a record who is not a party. Registered by ``ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.services import SUBJECT_KIND
from techmarket.conversations import subjects


def _url(subject_id: int) -> str:
    return reverse("achievements:detail", args=[subject_id])


def register() -> None:
    subjects.register(subjects.SubjectKind(key=SUBJECT_KIND, label=_("科技成果"), url=_url))
