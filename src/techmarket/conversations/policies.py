"""Who may read, write in and join a conversation — the only place this app's access rule lives.

A thread is visible to its participants and to nobody else: not to platform administrators, not to the
reviewers of its subject (the parties' negotiation is theirs). Someone the subject's app allows to join
(``subjects.SubjectKind.may_join``: a broker handling the demand) may add themself, and only then reads it.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from techmarket.accounts.policies import Principal
from techmarket.conversations import subjects
from techmarket.conversations.models import Participant, Thread
from techmarket.core.policy_registry import policy


def visible_q(principal: Principal) -> Q:
    """The threads the principal takes part in (none for anonymous visitors)."""
    if principal.user_id is None:
        return Q(pk__in=[])
    mine = Participant.objects.filter(thread_id=OuterRef("pk"), user_id=principal.user_id)
    return Q(Exists(mine))


def is_participant(principal: Principal, thread: Thread) -> bool:
    """Whether the principal is one of the thread's participants."""
    if principal.user_id is None:
        return False
    cached = getattr(thread, "participant_ids", None)
    if cached is not None:
        return principal.user_id in cached
    return Participant.objects.filter(thread=thread, user_id=principal.user_id).exists()


@policy
def can_view(principal: Principal, thread: Thread) -> bool:
    """Read the thread, its participants and attachments: its participants only."""
    return is_participant(principal, thread)


@policy
def can_post(principal: Principal, thread: Thread) -> bool:
    """Write a message (with attachments): its participants only."""
    return is_participant(principal, thread)


@policy
def can_join(principal: Principal, thread: Thread) -> bool:
    """Join as the broker: someone the subject's app lets join who is not in the thread yet."""
    return (
        principal.user_id is not None
        and not is_participant(principal, thread)
        and subjects.get(thread.subject_kind).may_join(principal, thread.subject_id)
    )


@policy
def can_list(principal: Principal) -> bool:
    """对接对话 (the list of one's own threads) is offered to everyone signed in: it lists only theirs."""
    return principal.is_authenticated
