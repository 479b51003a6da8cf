"""Pages of conversations: one's threads, a thread (participants only), posting, joining, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.conversations import selectors, services, subjects
from techmarket.conversations.forms import MessageForm
from techmarket.conversations.models import Thread
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import paginate


def _thread(request: HttpRequest, pk: int) -> Thread:
    try:
        return selectors.thread_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def thread_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's threads, the latest activity first, with unread counts."""
    page = paginate(request, selectors.thread_list(principal_of(request.user)))
    for thread in page:
        thread.subject = subjects.get(thread.subject_kind)
    return render(request, "conversations/list.html", {"page": page})


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The navigation badge (loaded by htmx): how many threads have unread messages."""
    count = selectors.unread_count(principal_of(request.user))
    return render(request, "conversations/_badge.html", {"count": count})


def _render(request: HttpRequest, thread: Thread, form: MessageForm, status: int = 200) -> HttpResponse:
    principal = principal_of(request.user)
    subject = subjects.get(thread.subject_kind)
    context = {
        "thread": thread,
        "subject": subject,
        "subject_url": subject.url(thread.subject_id),
        "thread_messages": selectors.messages_of(thread),
        "participants": thread.participants.all(),
        "me": principal.user_id,
        "form": form,
    }
    return render(request, "conversations/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread: its subject, participants and messages; opening it marks the messages read."""
    thread = _thread(request, pk)
    services.thread_mark_read(actor=acting_user(request), thread=thread)
    return _render(request, thread, MessageForm())


@login_required
@require_POST
def post(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.message_post(
                actor=acting_user(request),
                thread=thread,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["file"],
            )
        except DomainError as error:
            for field, field_messages in error.fields.items():
                for text in field_messages:
                    form.add_error(field if field in form.fields else None, text)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("消息已发送。"))
            return redirect(f"{selectors.thread_url(thread)}#message-{message.pk}")
    return _render(request, thread, form, status=400)


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    """The broker handling the subject joins; for anyone else the thread does not exist."""
    try:
        thread = selectors.thread_to_join(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    try:
        services.thread_join(actor=acting_user(request), thread=thread)
    except DomainError as error:
        messages.error(request, str(error.message))
        raise Http404 from None
    messages.success(request, _("您已加入对话。"))
    return redirect("conversations:detail", pk=thread.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Served only to the thread's participants, never as public media."""
    try:
        attachment = selectors.attachment_get(principal_of(request.user), pk, attachment_id)
    except NotFound:
        raise Http404 from None
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
