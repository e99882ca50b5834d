"""Grants are read on every request and kept per process under the accounts' revision number:
a grant given or revoked counts from the very next request, in every process (the number lives
in the shared cache and moves when the change commits)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.services import grant_create, grant_revoke
from motcua.core.revisions import RevisionsPerRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def territory(transactional_db):
    # A transactional test's flush empties the territory the session loaded.
    from motcua.territory.services import territory_load

    territory_load()


def fresh(user: User) -> User:
    """The account as the next request loads it."""
    return User.objects.get(pk=user.pk)


def test_a_revoked_grant_stops_counting_at_the_next_request(tree, make_official, superuser, roles):
    cache.clear()
    officer = make_official("tn.xa", tree["osu"], [("receiving_officer", tree["osu"])])
    assert can(fresh(officer), Action.DOSSIER_RECEIVE, tree["osu"])  # now kept in memory
    grant = officer.grants.get()
    grant_revoke(actor=superuser, grant=grant)
    assert not can(fresh(officer), Action.DOSSIER_RECEIVE, tree["osu"])
    grant_create(actor=superuser, user=officer, role=roles["receiving_officer"], agency=tree["osu"])
    assert can(fresh(officer), Action.DOSSIER_RECEIVE, tree["osu"])


def test_within_a_request_the_numbers_are_read_once_and_a_commit_refreshes_them(
    tree, make_official, superuser, roles
):
    cache.clear()
    officer = make_official("tn.xa", tree["osu"], [("receiving_officer", tree["osu"])])
    seen = []

    def view(request):
        seen.append(can(fresh(officer), Action.DOSSIER_RECEIVE, tree["osu"]))
        grant_revoke(actor=superuser, grant=officer.grants.get())  # commits: bumps
        seen.append(can(fresh(officer), Action.DOSSIER_RECEIVE, tree["osu"]))
        return None

    RevisionsPerRequest(view)(object())
    assert seen == [True, False]
