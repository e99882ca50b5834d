"""Production settings (issue 11 §5): `check --deploy` is clean with production environment
variables; HTTPS is enforced (redirect, HSTS, secure cookies); every page carries the
Content-Security-Policy; the simulators are off."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "SECRET_KEY": "k7Qv9-x3LmN0pR2sT4uV6wX8yZ1aB3cD5eF7gH9iJ0kL2mN4oP6qR8sT0uV2wX4yZ6",
    "ALLOWED_HOSTS": "motcua.example.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://motcua.example.gov.vn",
    "BEHIND_TLS_PROXY": "true",
    "TRUSTED_PROXIES": "127.0.0.1",
}


def run(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    # Not what a production server has: the browser tests' async switch, a debug flag.
    dropped = {"DEBUG", "SECRET_KEY_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(  # noqa: S603 - fixed argv, our own manage.py
        [sys.executable, *args],
        env={**base, "MOTCUA_VAR_DIR": str(tmp_path), **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_deploy_checks_pass_with_production_variables(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], PRODUCTION_ENV, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deploy_checks_do_fail_without_them(tmp_path):
    """The test above can fail: the demo's settings are not fit for production."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


PRINT = """
import json, django
from django.conf import settings as s
django.setup()
policy = s.CONTENT_SECURITY_POLICY["DIRECTIVES"]
print(json.dumps({
    "redirect": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS,
    "subdomains": s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "session_secure": s.SESSION_COOKIE_SECURE,
    "csrf_secure": s.CSRF_COOKIE_SECURE, "proxy_header": s.SECURE_PROXY_SSL_HEADER,
    "simulators": s.SIMULATORS_ENABLED, "upgrade": policy.get("upgrade-insecure-requests"),
}))
"""


def printed(env, tmp_path) -> dict:
    result = run(
        ["-c", PRINT],
        {**env, "DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": "src"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_turns_https_protections_on(tmp_path):
    assert printed(PRODUCTION_ENV, tmp_path) == {
        "redirect": True,
        "hsts": 31_536_000,
        "subdomains": True,
        "session_secure": True,
        "csrf_secure": True,
        "proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "simulators": False,
        "upgrade": True,
    }
    # Each one still has its own variable.
    assert (
        printed({**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "false"}, tmp_path)["redirect"] is False
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [({"DEBUG": "true"}, "DEBUG must be off"), ({"SECRET_KEY": ""}, "needs SECRET_KEY")],
)
def test_production_refuses_unsafe_settings(tmp_path, change, message):
    result = run(["manage.py", "check"], {**PRODUCTION_ENV, **change}, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_https_is_enforced_behind_the_proxy(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/thu-tuc/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # the probes are not redirected
    secure = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_every_page_carries_the_policy(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    api = client.get("/api/v1/openapi.json")
    assert "default-src 'self'" in api["Content-Security-Policy"]
