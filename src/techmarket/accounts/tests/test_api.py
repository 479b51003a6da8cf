"""Accounts API: token exchange, the error envelope for bad credentials, and the masked profile."""

from __future__ import annotations

import pytest
from django.test import Client

from techmarket.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def token_for(username: str, password: str, client: Client | None = None):
    return (client or Client()).post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_token_is_usable_as_authorization_header(applicant):
    response = token_for(applicant.username, PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert token_for(applicant.username, PASSWORD).json()["token"] == token  # stable per user
    me = Client().get("/api/v1/me/", headers={"Authorization": f"Token {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == applicant.username
    assert body["organisation"] == "测试大学"
    assert body["roles"] == ["applicant"]


def test_me_masks_the_phone(applicant):
    assert applicant.phone == "13800138000"
    client = Client()
    client.force_login(applicant)
    body = client.get("/api/v1/me/").json()
    assert body["phone"] == "138****8000"
    assert "13800138000" not in client.get("/api/v1/me/").content.decode()


def test_bad_credentials_give_the_envelope_in_chinese(applicant):
    response = token_for(applicant.username, "wrong")
    assert response.status_code == 400
    body = response.json()
    assert body == {"code": "invalid_credentials", "message": body["message"], "fields": {}}
    assert "用户名或密码错误" in body["message"]


def test_missing_fields_give_field_errors(db):
    response = Client().post(TOKEN_URL, {}, content_type="application/json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"username", "password"}


def test_token_endpoint_is_throttled_by_login_failures(applicant):
    for _ in range(5):
        assert token_for(applicant.username, "wrong").status_code == 400
    response = token_for(applicant.username, PASSWORD)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_inactive_user_gets_no_token(applicant):
    applicant.is_active = False
    applicant.save()
    assert token_for(applicant.username, PASSWORD).json()["code"] == "invalid_credentials"


def test_me_requires_authentication(db):
    response = Client().get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    response = Client().get("/api/v1/me/", headers={"Authorization": "Token not-a-real-token"})
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response.json()["message"] == "身份认证失败。"
