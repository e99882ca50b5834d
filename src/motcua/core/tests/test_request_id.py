"""X-Request-ID from outside is kept only when it is a short plain token (issue 11 §5)."""

from __future__ import annotations

import json
import logging

import pytest

from motcua.core.logging import JsonFormatter


def logged(client, caplog, **headers):
    with caplog.at_level(logging.INFO, logger="motcua.request"):
        response = client.get("/healthz", **headers)
    (record,) = [r for r in caplog.records if r.name == "motcua.request"]
    return response, json.loads(JsonFormatter().format(record))


@pytest.mark.parametrize("given", ["req-123", "a" * 64, "3f2a.B_c-9", "0" * 32])
def test_a_plain_token_is_kept(client, caplog, given):
    response, line = logged(client, caplog, HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == line["request_id"] == given


@pytest.mark.parametrize(
    "given",
    [
        "a" * 65,
        "x" * 100_000,
        "abc\ndef",
        "abc def",
        '"}, "level": "CRITICAL',
        "ümlaut",
        "../../etc",
    ],
)
def test_anything_else_is_replaced_by_our_own(client, caplog, given):
    response, line = logged(client, caplog, HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == line["request_id"] != given
    assert len(line["request_id"]) == 32 and line["request_id"].isalnum()


def test_the_log_line_names_the_client_behind_a_trusted_proxy(client, caplog, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _response, line = logged(
        client, caplog, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert (line["remote_addr"], line["client_addr"]) == ("10.0.0.2", "203.0.113.5")
