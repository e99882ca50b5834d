"""Accounts factories: the superuser, officials and their grants.

Officials and grants are made by `accounts.services` (`official_create`, `grant_create`), so
they pass the same checks as the administration pages; the superuser is a given (the
installation's first account comes from `createsuperuser`, not from a service).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import factory
from factory.django import DjangoModelFactory

from motcua.accounts.authz import forget_grants
from motcua.accounts.models import Grant, Role, User
from motcua.accounts.services import builtin_roles_ensure, grant_create, official_create


class SuperuserFactory(DjangoModelFactory):
    """The installation's superuser, `root` (one per database: made once, then reused)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = "root"
    full_name = "Superuser"
    is_superuser = True
    is_staff = True


def role_get(role: Role | str) -> Role:
    """A built-in role by code (transactional tests flush the rows migrations made)."""
    if isinstance(role, Role):
        return role
    found = Role.objects.filter(code=role).first()
    if found is None:
        builtin_roles_ensure()
        found = Role.objects.get(code=role)
    return found


class GrantFactory(DjangoModelFactory):
    """A role granted to an official (`grant_create`), by default at their home agency.

    `role` is a role code or a `Role`."""

    class Meta:
        model = Grant

    actor = factory.SubFactory(SuperuserFactory)
    user = factory.SubFactory("motcua.accounts.tests.factories.OfficialFactory")
    role = "specialist"
    agency = factory.LazyAttribute(lambda o: o.user.agency)
    include_subtree = False
    field = None
    procedure = None

    @classmethod
    def _create(cls, model_class, *, actor, role, **kwargs: Any) -> Grant:
        grant = grant_create(actor=actor, role=role_get(role), **kwargs)
        forget_grants(kwargs["user"])
        return grant


def grant_spec(spec: tuple | str) -> dict[str, Any]:
    """("role", agency, include_subtree, field, procedure), the trailing ones optional, as
    `GrantFactory` arguments; a bare role code is that role at the official's home agency."""
    if isinstance(spec, str):
        return {"role": spec}
    role, agency, *rest = spec
    names = ("include_subtree", "field", "procedure")
    return {"role": role, "agency": agency, **dict(zip(names, rest, strict=False))}


class OfficialFactory(DjangoModelFactory):
    """An official of `agency` (`official_create`), with `grants`: tuples
    ("role", agency, include_subtree, field, procedure), the trailing ones optional, or role
    codes (granted at the home agency).

    `OfficialFactory(username="cv.tuphap", agency=commune, grants=[("specialist", commune)])`
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    actor = factory.SubFactory(SuperuserFactory)
    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.LazyAttribute(lambda o: o.username.title())
    agency = factory.SubFactory("motcua.organizations.tests.factories.AgencyFactory")

    @classmethod
    def _create(cls, model_class, *, actor, **kwargs: Any) -> User:
        return official_create(actor=actor, **kwargs)

    @factory.post_generation
    def grants(obj: User, create: bool, extracted: Iterable[tuple | str] | None, **kw: Any) -> None:
        for spec in extracted or ():
            GrantFactory(user=obj, **grant_spec(spec))

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results=None) -> None:
        # Handed back as freshly read, like any official a request would load.
        if create:
            forget_grants(instance)
            instance.refresh_from_db()
