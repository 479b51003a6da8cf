"""Conversations of the demo: threads other apps opened (answers to pushes, 我要对接 on records) carried
on for a few messages through this app's service, so the demo shows threads with history and some
messages still unread."""

from __future__ import annotations

import random
from collections.abc import Iterable

from techmarket.conversations import services
from techmarket.conversations.choices import Side
from techmarket.conversations.models import Participant, Thread

ENTERPRISE_LINES = (
    "感谢回复！能否先提供一份技术参数和第三方检测报告？",
    "我们计划下月做中试，想了解样品的供货周期和价格区间。",
    "方便的话下周安排一次线上会议，我方技术负责人也会参加。",
    "合作方式我们倾向于技术许可，请问贵方的许可条件是怎样的？",
)
PROVIDER_LINES = (
    "检测报告已整理，稍后上传；样品两周内可以寄出。",
    "可以，下周二或周三下午均可，请告知参会人员。",
    "许可和技术服务两种方式都可以谈，先签保密协议再细谈参数。",
    "我们团队在这个方向有三年的中试经验，可以派人驻厂支持。",
)


def _speaker(thread: Thread, side: str) -> Participant | None:
    return Participant.objects.filter(thread=thread, side=side).select_related("user").order_by("id").first()


def seed(rng: random.Random, threads: Iterable[Thread], *, max_rounds: int = 3) -> dict[str, int]:
    """Carry each thread on for one to ``max_rounds`` messages, alternating sides from whoever did not
    write last; the last message stays unread for its readers. Returns how many threads and messages."""
    made = {"threads": 0, "messages": 0}
    for thread in threads:
        enterprise, provider = _speaker(thread, Side.ENTERPRISE), _speaker(thread, Side.PROVIDER)
        if enterprise is None or provider is None:
            continue
        made["threads"] += 1
        last = thread.messages.order_by("-id").first()
        turn = Side.ENTERPRISE if last is None or last.author_id != enterprise.user_id else Side.PROVIDER
        for _ in range(rng.randint(1, max_rounds)):
            speaker, lines = (
                (enterprise, ENTERPRISE_LINES) if turn == Side.ENTERPRISE else (provider, PROVIDER_LINES)
            )
            services.message_post(actor=speaker.user, thread=thread, body=rng.choice(lines))
            made["messages"] += 1
            turn = Side.PROVIDER if turn == Side.ENTERPRISE else Side.ENTERPRISE
    return made


def opened_threads(limit: int = 12) -> list[Thread]:
    """The threads the demo's other apps opened so far (answers to pushes, 我要对接), oldest first."""
    return list(Thread.objects.order_by("pk")[:limit])
