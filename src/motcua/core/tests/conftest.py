"""Calendar fixtures: each test starts with no calendar cached in this process."""

from __future__ import annotations

import pytest

from motcua.core.selectors import calendar_cache_clear


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    # Tests that write rows behind the services' back (to play another process) must not leave
    # their calendars to the next test.
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def padmin(make_official, tree):
    """The province administrator: manages every agency of Đồng Tháp."""
    return make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])


@pytest.fixture
def commune_admin(make_official, tree):
    """Manages one commune and its one-stop unit."""
    return make_official("xadmin", tree["commune"], [("province_admin", tree["commune"], True)])
