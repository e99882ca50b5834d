"""Writes for officials and grants. Each checks `can`, audits, and runs in one transaction."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Field, Procedure
from motcua.core.audit import audit_event, audit_record, snapshot
from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.core.revisions import bump
from motcua.organizations.models import Agency

from .authz import REVISION, can, forget_grants, holds, require
from .constants import Action
from .models import PHONE_RE, Grant, Role, User

OFFICIAL_FIELDS = ["username", "full_name", "email", "phone", "agency", "position", "is_active"]
GRANT_FIELDS = ["user", "role", "agency", "include_subtree", "field", "procedure", "revoked_at"]
USERNAME_MAX = 150


def normalize_phone(raw: str) -> str:
    """'+84 912 345 678', '0912.345.678' → '0912345678'; other text is returned stripped."""
    digits = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if digits else raw.strip()


def official_errors(
    *, username: str, full_name: str, email: str, phone: str, exclude_pk: int | None = None
) -> dict[str, list[str]]:
    """Field errors for an official's personal data (shared by the form, API and importer)."""
    errors: dict[str, list[str]] = {}
    if (
        not username
        or len(username) > USERNAME_MAX
        or not all(ch.isalnum() or ch in "@.+-_" for ch in username)
    ):
        errors["username"] = [
            _("A username has letters, digits and @ . + - _ only (at most 150 characters).")
        ]
    elif User.objects.filter(username__iexact=username).exclude(pk=exclude_pk).exists():
        errors["username"] = [_("The username %(u)s already exists.") % {"u": username}]
    if not full_name.strip():
        errors["full_name"] = [_("The full name is required.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("%(e)s is not a valid e-mail address.") % {"e": email}]
        else:
            if User.objects.filter(email__iexact=email).exclude(pk=exclude_pk).exists():
                errors["email"] = [_("The e-mail %(e)s is used by another account.") % {"e": email}]
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [
            _("%(p)s is not a Vietnamese phone number (e.g. 0912345678).") % {"p": phone}
        ]
    return errors


def official_create(
    *,
    actor,
    username: str,
    full_name: str,
    agency: Agency,
    email: str = "",
    phone: str = "",
    position: str = "",
    password: str | None = None,
) -> User:
    """Create an official's account in `agency`. Without a password the account cannot log in
    with one until it is set (single sign-on or a reset link)."""
    require(actor, Action.OFFICIAL_MANAGE, agency)
    username, email, phone = username.strip(), email.strip().lower(), normalize_phone(phone)
    errors = official_errors(username=username, full_name=full_name, email=email, phone=phone)
    if errors:
        raise InvalidInput(_("The official's data has errors."), errors=errors)
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name.strip(),
            email=email,
            phone=phone,
            agency=agency,
            position=position.strip(),
            kind=User.Kind.OFFICIAL,
            password=make_password(password),
        )
        user.save()
        audit_record(
            actor=actor,
            action="official.create",
            obj=user,
            agency=agency,
            after=snapshot(user, OFFICIAL_FIELDS),
        )
    return user


def official_update(*, actor, official: User, **changes) -> User:
    """Change an official's data, home agency or active flag."""
    allowed = {"full_name", "email", "phone", "agency", "position", "is_active"}
    if set(changes) - allowed:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s")
            % {"fields": ", ".join(sorted(set(changes) - allowed))}
        )
    if official.kind != User.Kind.OFFICIAL:
        raise InvalidInput(_("This account is not an official's."))
    require(actor, Action.OFFICIAL_MANAGE, official)
    if "agency" in changes and changes["agency"] != official.agency:
        require(actor, Action.OFFICIAL_MANAGE, changes["agency"])
    if "is_active" in changes and not changes["is_active"] and official.pk == actor.pk:
        raise InvalidInput(_("You cannot deactivate your own account."))
    with transaction.atomic():
        official = User.objects.select_for_update().get(pk=official.pk)
        before = snapshot(official, OFFICIAL_FIELDS)
        if "email" in changes:
            changes["email"] = changes["email"].strip().lower()
        if "phone" in changes:
            changes["phone"] = normalize_phone(changes["phone"])
        for name, value in changes.items():
            setattr(official, name, value)
        errors = official_errors(
            username=official.username,
            full_name=official.full_name,
            email=official.email,
            phone=official.phone,
            exclude_pk=official.pk,
        )
        if errors:
            raise InvalidInput(_("The official's data has errors."), errors=errors)
        after = snapshot(official, OFFICIAL_FIELDS)
        changed = [k for k in after if after[k] != before[k]]
        if not changed:
            return official
        official.save(update_fields=changed)
        audit_record(
            actor=actor,
            action="official.update",
            obj=official,
            agency=official.agency,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return official


def _grant_errors(
    *,
    user: User,
    role: Role,
    agency: Agency,
    field: Field | None,
    procedure: Procedure | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if user.kind not in (User.Kind.OFFICIAL, User.Kind.SYSTEM):
        errors["user"] = [_("Roles are granted to officials only.")]
    if not agency.is_active:
        errors["agency"] = [_("The agency %(a)s is no longer active.") % {"a": agency}]
    if user.agency_id and user.agency.province_id != agency.province_id:
        errors["agency"] = [_("The official works in another province.")]
    if field and procedure and procedure.field_id and procedure.field_id != field.pk:
        errors["procedure"] = [_("The procedure is not in the chosen field.")]
    return errors


def grant_refusal(
    *,
    actor,
    role: Role,
    agency: Agency,
    include_subtree: bool = False,
    field: Field | None = None,
    procedure: Procedure | None = None,
    user: User | None = None,
) -> str | None:
    """Why `actor` may not hand out this grant, or None when they may.

    Nobody grants themselves anything, and nobody grants a role whose actions they do not hold
    themselves over the whole scope (the agency, its sub-tree if included, the field and the
    procedure): managing officials is not a licence to process dossiers. Superusers hold every
    action; only they grant the system operator role. No actor (None, anonymous) is no one.
    """
    denied = _("You do not have permission for this action.")
    if actor is None or not actor.is_authenticated:
        return denied
    if user is not None and user.pk == actor.pk:
        return _("Nobody may grant a role to themselves.")
    if not can(actor, Action.OFFICIAL_MANAGE, agency):
        return denied
    if actor.is_superuser:
        return None
    if Action.SYSTEM_OPERATE in role.actions:
        return _("Only the system superuser may grant the system operator role.")
    field_id = field.pk if field else (procedure.field_id if procedure else None)
    missing = [
        action
        for action in role.actions
        if not holds(
            actor,
            action,
            agency,
            include_subtree=include_subtree,
            field_id=field_id,
            procedure_id=procedure.pk if procedure else None,
        )
    ]
    if missing:
        labels = [str(Action(a).label) if a in Action.values else a for a in missing]
        return _(
            "You may only grant a role whose permissions you hold yourself in that scope. "
            "You lack: %(actions)s."
        ) % {"actions": "; ".join(labels)}
    return None


def grant_create(
    *,
    actor,
    user: User,
    role: Role,
    agency: Agency,
    include_subtree: bool = False,
    field: Field | None = None,
    procedure: Procedure | None = None,
    note: str = "",
) -> Grant:
    """Give `user` the `role` within a scope. The actor must manage officials of that agency,
    and may only hand out what they hold there themselves, never to themselves
    (`grant_refusal`: no privilege escalation, whichever page, API or import calls this)."""
    refusal = grant_refusal(
        actor=actor,
        user=user,
        role=role,
        agency=agency,
        include_subtree=include_subtree,
        field=field,
        procedure=procedure,
    )
    if refusal:
        raise NotAllowed(refusal)
    errors = _grant_errors(user=user, role=role, agency=agency, field=field, procedure=procedure)
    if errors:
        raise InvalidInput(_("The grant has errors."), errors=errors)
    with transaction.atomic():
        # Lock the official's row so two concurrent identical grants cannot both pass the check.
        User.objects.select_for_update().filter(pk=user.pk).first()
        duplicate = Grant.objects.filter(
            user=user,
            role=role,
            agency=agency,
            include_subtree=include_subtree,
            field=field,
            procedure=procedure,
            revoked_at__isnull=True,
        ).exists()
        if duplicate:
            raise Conflict(_("The official already holds this role in this scope."))
        grant = Grant.objects.create(
            user=user,
            role=role,
            agency=agency,
            include_subtree=include_subtree,
            field=field,
            procedure=procedure,
            note=note,
            granted_by=actor,
        )
        audit_record(
            actor=actor,
            action="grant.create",
            obj=grant,
            agency=agency,
            after=snapshot(grant, GRANT_FIELDS),
        )
        bump(REVISION)
    forget_grants(user)
    return grant


def grant_revoke(*, actor, grant: Grant, note: str = "") -> Grant:
    """End a grant. It stays on record, revoked, for the audit trail."""
    require(actor, Action.OFFICIAL_MANAGE, grant.agency)
    with transaction.atomic():
        updated = Grant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if not updated:
            raise Conflict(_("This grant has already been revoked."))
        bump(REVISION)
        grant.refresh_from_db()
        audit_record(
            actor=actor,
            action="grant.revoke",
            obj=grant,
            agency=grant.agency,
            before={"revoked_at": None},
            after={"revoked_at": grant.revoked_at.isoformat()},
            note=note,
        )
    forget_grants(grant.user)
    return grant


def login_failure_record(
    *, username: str, client_address: str, path: str, failures: int, locked_out: bool
) -> None:
    """Append a failed log-in to the audit trail (called by the login throttle, accounts.
    throttling). Filed under the account when one has that username, so its province's
    administrators and inspectors read it; the actor is the address it came from."""
    user = (
        User.objects.filter(username__iexact=username).select_related("agency").first()
        if username
        else None
    )
    with transaction.atomic():
        audit_event(
            actor=None,
            actor_label=client_address or "?",
            action="auth.login_failed",
            object_type=User._meta.label_lower,
            object_id=str(user.pk) if user else "",
            object_repr=username,
            agency=user.agency if user else None,
            after={
                "username": username,
                "client_address": client_address,
                "path": path[:200],
                "failures": failures,
                "locked_out": locked_out,
            },
        )


def builtin_roles_ensure() -> int:
    """Create or refresh the built-in roles from constants (idempotent); returns how many."""
    from .constants import BUILTIN_ROLES

    with transaction.atomic():
        bump(REVISION)
        for code, (name, name_en, actions) in BUILTIN_ROLES.items():
            Role.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "actions": [str(a) for a in actions],
                    "is_builtin": True,
                },
            )
    return len(BUILTIN_ROLES)


def system_account_create(*, actor, username: str, full_name: str, agency: Agency) -> User:
    """An account for a central system calling our API (the national portal's intake): no
    password, no page login; it acts only through the grants given to it (`grant_create`)."""
    require(actor, Action.OFFICIAL_MANAGE, agency)
    username = username.strip()
    if not username or User.objects.filter(username=username).exists():
        raise InvalidInput(
            _("Choose an unused user name."),
            errors={"username": [_("Choose an unused user name.")]},
        )
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name.strip(),
            agency=agency,
            kind=User.Kind.SYSTEM,
            password=make_password(None),
        )
        user.save()
        audit_record(
            actor=actor,
            action="system_account.create",
            obj=user,
            agency=agency,
            after=snapshot(user, OFFICIAL_FIELDS),
        )
    return user
