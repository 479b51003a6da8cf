from django.db import connection
from django.db.utils import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from techmarket.core import pickers
from techmarket.core.api.errors import error_json, is_api_request


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (for load balancers and monitoring)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return error_json(400)
    return render(request, "core/error.html", {"status": 400}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return error_json(403)
    return render(request, "core/error.html", {"status": 403}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return error_json(404)
    return render(request, "core/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The error page, or under the API its JSON envelope (an API client cannot read an HTML page)."""
    if is_api_request(request):
        return error_json(500)
    return render(request, "core/error.html", {"status": 500}, status=500)


@require_GET
def code_children(request: HttpRequest, scheme: str = "region") -> HttpResponse:
    """htmx: the next level of a picker (the children of the chosen code), or nothing to clear it.

    The select sends its own value under the form field's name, and ``field`` says which name that is.
    """
    if scheme not in pickers.TREES:
        raise Http404
    field = request.GET.get("field", "")
    name = field if pickers.FIELD_NAME.match(field) else scheme
    code = request.GET.get(name, "").strip()
    path = pickers.chain(scheme, code)
    options = pickers.children(scheme, path[-1].code) if path else []
    if not options:
        return HttpResponse("")
    label = request.GET.get("label", "")[:40] or str(pickers.tree_label(scheme))
    level = pickers.level_context(
        scheme,
        name,
        label,
        code,
        "",
        [],
        depth=len(path),
        options=options,
        choose=request.GET.get("choose") == "1",
    )
    return render(request, "core/_code_level.html", {"level": level})
