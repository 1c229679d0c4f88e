import io
import json
import logging
import sys

import pytest
from django.test import Client

from config.logging import JsonFormatter, RequestIdFilter, request_id


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_log_lines_are_json_with_the_request_id_the_response_returns(json_log):
    response = Client().get("/no-such-page/")

    entry = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert response.status_code == 404
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "django.request"
    assert entry["status_code"] == 404
    assert entry["path"] == "/no-such-page/"
    assert entry["request_id"] == response["X-Request-ID"]
    assert len(entry["request_id"]) == 32


@pytest.mark.django_db
def test_a_well_formed_request_id_from_the_proxy_is_kept():
    response = Client(HTTP_X_REQUEST_ID="edge-4f2a9c11").get("/healthz")

    assert response["X-Request-ID"] == "edge-4f2a9c11"


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced():
    response = Client(HTTP_X_REQUEST_ID="bad id\nwith newline").get("/healthz")

    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_exceptions_are_logged_as_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.getLogger("x").makeRecord(
        "x", logging.ERROR, __file__, 1, "failed %s", ("here",), exc_info, extra={"job": 7}
    )
    token = request_id.set("abc12345")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed here"
    assert entry["job"] == 7
    assert entry["request_id"] == "abc12345"
    assert "ValueError: boom" in entry["exception"]
