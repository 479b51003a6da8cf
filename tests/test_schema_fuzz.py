"""Property-based fuzzing of the whole REST API from its own OpenAPI schema: no input may cause a 500.

Schemathesis generates requests (valid and invalid) for every operation of ``/api/v1/schema/`` and
sends them in-process to the WSGI application, authenticated with the token of a user who can file
records. Random ids and codes rarely name anything, so half of the generated requests are steered to
the test's own records and to codes that exist: that way the services behind the serializers are
fuzzed too, not just the input validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from techmarket.accounts.services import token_issue
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state

EXAMPLES_PER_OPERATION = 25
ACHIEVEMENTS = "/api/v1/achievements/"
EXISTING_CODES = {"discipline": "430", "industry": "C39", "region": "990102"}
# Ids of the records the current test made; the hooks below read it while generating.
record_ids: list[int] = []

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


def _is_achievement_operation(context: Any) -> bool:
    return context.operation is not None and context.operation.path.startswith(ACHIEVEMENTS)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    if not (
        _is_achievement_operation(context) and path_parameters and "id" in path_parameters and record_ids
    ):
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(record_ids).map(lambda pk: {**path_parameters, "id": pk}),
    )


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy:
    if not (_is_achievement_operation(context) and isinstance(body, dict)):
        return st.just(body)
    return st.one_of(st.just(body), st.just({**body, **EXISTING_CODES}))


@pytest.fixture
def wsgi_app(db) -> Iterator[None]:
    """Share the test's database transaction with the WSGI application: like Django's test client,
    keep request boundaries from closing the connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(wsgi_app, regions, reviewers, applicant) -> Iterator[str]:
    """The token of an applicant whose organisation has a draft, a record in review and a published one."""
    record_ids[:] = [
        achievement_in_state(state, applicant=applicant, region=regions["county"], reviewers=reviewers).pk
        for state in (AchievementState.DRAFT, AchievementState.CITY_REVIEW, AchievementState.PUBLISHED)
    ]
    yield token_issue(user=applicant).key
    record_ids.clear()


def test_the_fuzz_covers_the_filing_api():
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert {
        "GET /api/v1/achievements/",
        "POST /api/v1/achievements/",
        "PATCH /api/v1/achievements/{id}/",
        "POST /api/v1/achievements/{id}/transitions/{transition}/",
        "POST /api/v1/auth/token/",
        "GET /api/v1/me/",
    } <= labels


@pytest.mark.parametrize(
    "url", ["/api/v1/regions/", "/api/v1/classifications/", "/api/v1/classifications/1/"]
)
def test_nul_in_a_code_filter_finds_nothing(url, client, regions):
    """Regression (found by this fuzz test on PostgreSQL): NUL in ``?parent=`` answered 500."""
    response = client.get(url, {"parent": "zz\x00"})
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.json()["count"] == 0


# One test per operation. Under pytest 9 they share one node id (schemathesis 4.32 names them the
# old way); a failure's report names the operation and a curl command reproducing it.
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_the_api_fail(case, api_token):
    response = case.call(headers={"Authorization": f"Token {api_token}"})
    case.validate_response(response, checks=[not_a_server_error])


def _operations() -> list[tuple[str, str, list[str]]]:
    """(method, path, query parameter names) of every operation the schema documents."""
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.query] if operation.query else []
        found.append((operation.method.lower(), operation.path, names))
    return found


def _concrete(path: str, pk: int) -> str:
    import re

    return re.sub(r"\{(\w+)\}", lambda m: "confirm" if m.group(1) == "decision" else str(pk), path)


def test_every_body_nested_too_deeply_is_a_400_envelope(client, api_token):
    """Issue 9: ``[[[[…]]]]`` in any body was a RecursionError (500); now the JSON error envelope."""
    deep = "[" * 50_000 + "]" * 50_000
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token}"}
    for method, path, _names in _operations():
        if method not in {"post", "patch", "put"}:
            continue
        response = getattr(client, method)(
            _concrete(path, record_ids[0]), deep, content_type="application/json", **headers
        )
        assert response.status_code < 500, path
        if response.status_code >= 400:  # an action that reads no body (read-all) just does its work
            assert set(response.json()) == {"code", "message", "fields"}, path


def test_invisible_characters_in_any_query_parameter_are_not_a_500(client, api_token):
    """Issue 9: a byte-order mark before a word (and its cousins) in any query string."""
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token}"}
    for method, path, names in _operations():
        if method != "get":
            continue
        for value in ("\ufeff石墨烯", "\u200b锂电池\u200d", "石墨\x01烯"):
            response = client.get(_concrete(path, record_ids[0]), dict.fromkeys(names, value), **headers)
            assert response.status_code < 500, (path, value)
