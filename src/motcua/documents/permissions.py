"""Who may do what with a paper: the one rule (issue 15 "Downloads only through can()").

- Open (read, download): officials who may see the dossier (`dossier.view` over it, through
  `can`); the applicant citizen or organization, logged in with VNeID, whose dossier it is
  (`dossiers.lifecycle.is_applicant`: the identity number the identity provider vouched for);
  and the paper's owner (its electronic data warehouse, documents/warehouse.py), whatever
  dossier it came with.
- Add, replace, digitize: officials who may receive dossiers or process them there
  (`dossier.receive` or `dossier.process`), on a dossier not closed.
"""

from __future__ import annotations

from motcua.accounts.authz import Scope, can, scope_of
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.dossiers import lifecycle
from motcua.dossiers.constants import ApplicantKind
from motcua.dossiers.models import Dossier
from motcua.dossiers.permissions import dossier_scope

from .constants import OwnerKind
from .models import Document

OPEN = "open"
WRITE = "write"  # add, replace, digitize


@scope_of.register
def _scope_of_document(target: Document) -> Scope:
    return dossier_scope(target.dossier) if target.dossier_id else Scope()


def dossier_allows(user: User | None, op: str, dossier: Dossier) -> bool:
    if op == OPEN:
        return can(user, Action.DOSSIER_VIEW, dossier) or lifecycle.is_applicant(user, dossier)
    if op == WRITE:
        return can(user, Action.DOSSIER_RECEIVE, dossier) or can(
            user, Action.DOSSIER_PROCESS, dossier
        )
    raise ValueError(op)


def _owner(user: User | None, document: Document) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    account = getattr(user, "citizen_account", None)
    if account is None or user.kind not in (User.Kind.CITIZEN, User.Kind.ORGANIZATION):
        return False
    kind = (
        OwnerKind.ORGANIZATION if account.kind == ApplicantKind.ORGANIZATION else OwnerKind.PERSON
    )
    return bool(document.owner_number) and (account.number, kind) == (
        document.owner_number,
        document.owner_kind,
    )


def document_allows(user: User | None, op: str, document: Document) -> bool:
    """May `user` do `op` (OPEN, WRITE) on `document`?"""
    if document.dossier_id is not None:
        if op == OPEN and _owner(user, document):
            # The owner's warehouse paper (R10), even of a dossier someone else filed.
            return True
        return dossier_allows(user, op, document.dossier)
    if op == OPEN:
        return _owner(user, document) or bool(user and user.is_active and user.is_superuser)
    return bool(user and user.is_active and user.is_superuser)
