"""API-1: every answer is HTTP 200 with the envelope — errors of every kind
included — and API-4: the OpenAPI document and a browsable page, offline."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from kantor.api.errors import ErrorKey
from tests.api.client import ApiClient

BALANCES = "/api/v2.0.0/account/balances"


def error_key(answer: dict) -> str:
    assert answer["success"] is False, answer
    return answer["errors"][0]["key"]


def test_error_keys_are_the_references_enum_API_1():
    assert [k.value for k in ErrorKey] == [
        "AMOUNT_TOO_SMALL", "API_DISABLED", "COUNTRY_NOT_SUPPORTED", "CURRENCY_NOT_SUPPORTED",
        "INSUFFICIENT_FUNDS", "INVALID_ACCOUNT_NUMBER", "INVALID_API_KEY", "INVALID_ARGUMENTS",
        "INVALID_SIGNATURE", "MISSING_API_KEY", "MISSING_AUTH_ROLE", "MISSING_PUBLIC_KEY",
        "MISSING_SIGNATURE", "NOT_AUTHORIZED", "NO_RATE_FOR_PAIR", "OTHER",
        "PAYOUT_LIMIT_EXCEEDED", "TRANSACTION_NOT_FOUND", "SOURCE_OF_INCOME_REQUIRED",
        "PURPOSE_REQUIRED", "TITLE_REQUIRED", "AMOUNT_MUST_BE_INTEGER",
    ]  # fmt: skip
    assert all(k.message for k in ErrorKey)


def test_internal_error_is_other_with_a_logged_trace_never_a_500_API_1(client, caplog):
    with caplog.at_level(logging.ERROR, logger="kantor.api"):
        answer = client.get("/api/test/boom")
    assert error_key(answer) == "OTHER"
    trace = answer["errors"][0]["trace"]
    assert answer["errors"][0]["errorData"] == [{"key": "trace", "value": trace}]
    assert "must never see" not in str(answer)
    (record,) = [r for r in caplog.records if trace in r.getMessage()]
    assert record.exc_info and "must never see" in str(record.exc_info[1])


def test_unknown_path_is_an_envelope_API_1(client):
    answer = client.get("/api/v2.0.0/account/nothing-here")
    assert error_key(answer) == "INVALID_ARGUMENTS"
    assert answer["errors"][0]["errorData"] == [
        {"key": "path", "value": "/api/v2.0.0/account/nothing-here"}
    ]
    assert error_key(client.get("/api/v2.0.0/")) == "INVALID_ARGUMENTS"
    assert error_key(client.get("/api/kantor/v1/nope")) == "INVALID_ARGUMENTS"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_an_envelope_API_1(client, method):
    answer = client.get(BALANCES, method=method, sign=False)
    assert error_key(answer) == "INVALID_ARGUMENTS"
    data = {d["key"]: d["value"] for d in answer["errors"][0]["errorData"]}
    assert data == {"method": method, "allowed": "GET"}


def test_wrong_method_on_a_submitting_endpoint_is_an_envelope_API_1(client):
    assert error_key(client.get("/api/test/donate")) == "INVALID_ARGUMENTS"


def test_a_json_body_where_a_form_is_expected_is_invalid_arguments_API_1(client):
    body = '{"currency": "PLN", "volume": "1.00", "submitId": "json-1"}'
    headers = client.headers("/api/test/donate", body, sign_it=True, ts=None, signature=None)
    response = client.client.post(
        "/api/test/donate", body, content_type="application/json", headers=headers, secure=True
    )
    assert response.status_code == 200
    assert error_key(response.json()) == "INVALID_ARGUMENTS"


def test_an_endpoint_that_declares_no_access_is_closed_API_2(client):
    assert error_key(client.get("/api/test/undeclared")) == "MISSING_AUTH_ROLE"


def test_public_endpoint_needs_no_key_API_4(db):
    answer = ApiClient(None).get("/api/kantor/v1/ping", sign=False)
    assert answer["success"] is True
    assert answer["result"]["ts"].endswith("Z")


def test_openapi_document_describes_paths_roles_and_signature_headers_API_4(db):
    response = Client().get("/api/v2.0.0/openapi.json", secure=True)
    assert response.status_code == 200
    doc = response.json()
    history = doc["paths"]["/api/v2.0.0/account/history"]["get"]
    assert history["operationId"] == "getHistory"
    assert history["x-c1-roles"] == ["admin", "reader"]
    headers = {p["name"]: p for p in history["parameters"] if p["in"] == "header"}
    assert headers["X-API-Signature"]["required"] is True
    rates = doc["paths"]["/api/v2.0.0/direct_fx/rates"]["get"]
    assert rates["x-c1-roles"] == ["admin", "direct_fx"]
    assert doc["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "X-API-Key"
    assert "/api/v2.0.0/account/balances" in doc["paths"]
    v1 = Client().get("/api/kantor/v1/openapi.json", secure=True).json()
    assert v1["paths"]["/api/kantor/v1/ping"]["get"]["x-c1-roles"] == ["public"]


@pytest.mark.parametrize("root", ["/api/v2.0.0", "/api/kantor/v1"])
def test_docs_page_loads_its_assets_from_the_platform_not_a_cdn_API_4(db, root):
    client = Client()
    page = client.get(f"{root}/docs", secure=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert f"{root}/openapi.json" in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"{root}/docs/assets/{asset}" in html
        response = client.get(f"{root}/docs/assets/{asset}", secure=True)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)


@pytest.mark.parametrize("name", ["..%2F..%2Fmain.py", "redoc.standalone.js.map", "x.txt"])
def test_docs_assets_serve_only_the_known_files_API_4(db, name):
    response = Client().get(f"/api/v2.0.0/docs/assets/{name}", secure=True)
    assert response.status_code == 200
    assert error_key(response.json()) == "INVALID_ARGUMENTS"


def test_the_site_root_serves_the_api_API_1(db, settings):
    settings.ROOT_URLCONF = "kantor.urls"
    response = Client().get(BALANCES, secure=True)
    assert response.status_code == 200
    assert error_key(response.json()) == "MISSING_API_KEY"
    assert Client().get("/api/kantor/v1/ping", secure=True).json()["success"] is True


def test_an_oversized_body_is_invalid_arguments_not_a_crash_API_1(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    answer = client.post("/api/test/donate", {"currency": "PLN", "title": "x" * 200})
    assert error_key(answer) == "INVALID_ARGUMENTS"
