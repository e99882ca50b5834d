"""The clamd adapter against the simulator over TCP (clean, infected, size limit, down), and the
upload benchmark's command printing its figures."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from motcua.adapters.antivirus import AntivirusError, ping, scan
from motcua.simulators.antivirus import EICAR


def test_clamd_adapter_speaks_instream_with_the_simulator(clamd):
    assert ping(address=clamd.address)
    assert scan(b"x" * 200_000, address=clamd.address).clean
    # EICAR split across two 64 KB chunks is still found.
    infected = scan(b"a" * (64 * 1024 - 10) + EICAR, address=clamd.address)
    assert not infected.clean and infected.signature == "Eicar-Test-Signature"


def test_clamd_errors_say_permanent_or_retryable(clamd):
    clamd.max_bytes = 1000
    with pytest.raises(AntivirusError) as too_big:
        scan(b"x" * 5000, address=clamd.address)
    assert too_big.value.permanent
    clamd.down = True
    with pytest.raises(AntivirusError) as down:
        scan(b"x", address=clamd.address, timeout=2)
    assert not down.value.permanent
    assert not ping(address="127.0.0.1:1")


def test_bench_uploads_prints_throughput():
    out = io.StringIO()
    call_command("bench_uploads", files=1, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1].split()[0] == "all" and lines[-1].endswith("MB/s")
    assert any(line.strip().startswith("pdf") for line in lines)
