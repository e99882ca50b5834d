"""gunicorn's control socket (gunicorn 25.1+): off by default, so one instance's `gunicornc`
never reaches another's; per instance when GUNICORN_CONTROL_SOCKET names a path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

GUNICORN = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
CONF = str(Path(settings.BASE_DIR) / "src" / "motcua" / "gunicorn_conf.py")


def printed_config(env: dict[str, str]) -> dict[str, str]:
    result = subprocess.run(  # noqa: S603 - fixed argv, our own config
        [GUNICORN, "--config", CONF, "--print-config", "motcua.wsgi"],
        env={**os.environ, **env},
        cwd=Path(settings.BASE_DIR) / "src",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = [line.split("=", 1) for line in result.stdout.splitlines() if "=" in line]
    return {k.strip(): v.strip() for k, v in lines}


def test_no_control_socket_unless_named(tmp_path):
    config = printed_config({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert config["control_socket_disable"] == "True"


def test_a_named_control_socket_is_this_instances_and_owner_only(tmp_path):
    path = tmp_path / "motcua-a.ctl"
    config = printed_config({"GUNICORN_CONTROL_SOCKET": str(path)})
    assert config["control_socket_disable"] == "False"
    assert config["control_socket"] == str(path)
    assert config["control_socket_mode"] == str(0o600)


@pytest.mark.parametrize("named", [False, True], ids=["default", "named"])
def test_a_running_server_opens_only_the_named_socket(tmp_path, named):
    runtime = tmp_path / "run"
    runtime.mkdir()
    path = tmp_path / "motcua.ctl"
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(tmp_path),
        "WEB_CONCURRENCY": "1",
        "MOTCUA_VAR_DIR": str(tmp_path / "var"),
    }
    if named:
        env["GUNICORN_CONTROL_SOCKET"] = str(path)
    server = subprocess.Popen(  # noqa: S603 - fixed argv, our own server
        [GUNICORN, "motcua.wsgi", "--config", CONF, "--bind", "127.0.0.1:0"],
        env=env,
        cwd=Path(settings.BASE_DIR) / "src",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        booted = False
        while time.monotonic() < deadline and not booted:
            line = server.stderr.readline()
            booted = "Booting worker" in line
            assert server.poll() is None, "gunicorn stopped"
        assert booted
        time.sleep(0.5)  # the control server thread starts beside the workers
        assert path.exists() is named
        if named:
            assert path.stat().st_mode & 0o777 == 0o600
        assert not (runtime / "gunicorn.ctl").exists()
        assert not (tmp_path / ".gunicorn" / "gunicorn.ctl").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
