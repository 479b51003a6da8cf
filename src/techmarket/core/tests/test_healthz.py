"""/healthz answers 200 while the database answers and 503 when it does not."""

from unittest import mock

import pytest
from django.db import connection
from django.db.utils import DatabaseError, OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthy():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("error", [DatabaseError("connection refused"), OperationalError("server closed")])
def test_database_unreachable(error):
    with mock.patch.object(connection, "cursor", side_effect=error):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_query_failure_is_also_unavailable():
    cursor = mock.MagicMock()
    cursor.__enter__.return_value.execute.side_effect = DatabaseError("read-only")
    with mock.patch.object(connection, "cursor", return_value=cursor):
        assert Client().get("/healthz").status_code == 503


def test_only_get():
    assert Client().post("/healthz").status_code == 405
