"""Writes for the organization tree. Each one checks `can`, audits, and runs in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from motcua.accounts.authz import require
from motcua.accounts.constants import Action
from motcua.core.audit import audit_record, snapshot
from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.revisions import bump
from motcua.core.textnorm import fold
from motcua.territory.models import Commune, Province

from .models import AGENCY_CODE_RE, RECEIVING_KINDS, Agency, AgencyKind
from .selectors import REVISION

AUDITED_FIELDS = [
    "code",
    "name",
    "short_name",
    "kind",
    "parent",
    "province",
    "commune",
    "address",
    "phone",
    "email",
    "is_active",
    "serves_agency",
    "serves_field",
]
EDITABLE_FIELDS = set(AUDITED_FIELDS) - {"province"}

# A desk is a counter at a reception point; everything else is free-form.
_DESK_PARENTS = {AgencyKind.SERVICE_CENTER, AgencyKind.ONE_STOP_UNIT}


def _validate(agency: Agency) -> None:
    errors: dict[str, list[str]] = {}
    if agency.code:
        if not AGENCY_CODE_RE.match(agency.code):
            errors.setdefault("code", []).append(
                _("The electronic identifier must look like 000.00.00.H20 (DDD.CC.BB.A##).")
            )
        elif Agency.objects.filter(code=agency.code).exclude(pk=agency.pk).exists():
            errors.setdefault("code", []).append(
                _("The electronic identifier %(code)s is already used.") % {"code": agency.code}
            )
    elif agency.kind != AgencyKind.DESK:
        errors.setdefault("code", []).append(_("An agency needs its electronic identifier."))
    if not agency.name.strip():
        errors.setdefault("name", []).append(_("The name is required."))
    parent = agency.parent
    if agency.kind == AgencyKind.PROVINCE_PC and parent is not None:
        errors.setdefault("parent", []).append(
            _("A provincial People's Committee is the root of its tree and has no parent.")
        )
    if agency.kind != AgencyKind.PROVINCE_PC and parent is None:
        errors.setdefault("parent", []).append(_("Choose the agency this one belongs to."))
    if parent is not None:
        if parent.province_id != agency.province_id:
            errors.setdefault("parent", []).append(
                _("The parent agency belongs to another province.")
            )
        if agency.pk and parent.is_within(agency):
            errors.setdefault("parent", []).append(
                _("An agency cannot be moved under itself or one of its own units.")
            )
        if agency.kind == AgencyKind.DESK and parent.kind not in _DESK_PARENTS:
            errors.setdefault("parent", []).append(
                _("A desk belongs to a service center or a one-stop unit.")
            )
    if agency.commune_id is not None and agency.commune.province_id != agency.province_id:
        errors.setdefault("commune", []).append(_("The commune is not in the agency's province."))
    if agency.kind == AgencyKind.COMMUNE_PC and agency.commune_id is None:
        errors.setdefault("commune", []).append(
            _("A commune People's Committee needs its commune or ward.")
        )
    if (agency.serves_agency_id or agency.serves_field_id) and (
        agency.kind != AgencyKind.DESK or parent is None or parent.kind != AgencyKind.SERVICE_CENTER
    ):
        message = _("Only a desk of the service center receives for a department or a field.")
        key = "serves_agency" if agency.serves_agency_id else "serves_field"
        errors.setdefault(key, []).append(message)
    served = agency.serves_agency
    if served is not None and (
        served.province_id != agency.province_id or served.kind in RECEIVING_KINDS
    ):
        errors.setdefault("serves_agency", []).append(
            _("Choose a department or agency of the same province.")
        )
    if errors:
        raise InvalidInput(_("The agency has errors."), errors=errors)


def _set_path(agency: Agency) -> None:
    prefix = agency.parent.path if agency.parent_id else "/"
    agency.path = f"{prefix}{agency.pk}/"
    agency.depth = agency.path.count("/") - 2


def agency_create(
    *,
    actor,
    kind: str,
    name: str,
    parent: Agency | None = None,
    province: Province | None = None,
    code: str | None = None,
    commune: Commune | None = None,
    short_name: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    serves_agency: Agency | None = None,
    serves_field=None,
) -> Agency:
    """Create an agency, unit or desk under `parent` (a province's root has no parent).

    A desk of a service center may name the department (`serves_agency`) or the field
    (`serves_field`, a catalog.Field) whose online dossiers it receives."""
    if parent is None:
        # A new province tree is set up by the installation's superuser only.
        if actor is None or not actor.is_superuser:
            raise NotAllowed(_("Only the system superuser may create a province's root agency."))
    else:
        require(actor, Action.AGENCY_MANAGE, parent)
        province = parent.province
        if commune is None and kind in {AgencyKind.ONE_STOP_UNIT, AgencyKind.DESK, AgencyKind.UNIT}:
            commune = parent.commune
    if province is None:
        raise InvalidInput(_("The agency has errors."), errors={"province": [_("Required.")]})
    agency = Agency(
        kind=kind,
        name=name.strip(),
        short_name=short_name.strip(),
        parent=parent,
        province=province,
        commune=commune,
        code=(code or "").strip() or None,
        address=address,
        phone=phone,
        email=email,
        serves_agency=serves_agency,
        serves_field=serves_field,
        name_folded=fold(name),
    )
    _validate(agency)
    with transaction.atomic():
        agency.path = "/"
        agency.save()
        _set_path(agency)
        agency.save(update_fields=["path", "depth"])
        bump(REVISION)
        audit_record(
            actor=actor,
            action="agency.create",
            obj=agency,
            agency=agency,
            after=snapshot(agency, AUDITED_FIELDS),
        )
    return agency


def agency_update(*, actor, agency: Agency, **changes) -> Agency:
    """Change an agency's attributes; moving it (`parent=`) moves its whole sub-tree."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    require(actor, Action.AGENCY_MANAGE, agency)
    new_parent = changes.get("parent", agency.parent)
    if "parent" in changes and new_parent != agency.parent:
        if new_parent is None:
            raise InvalidInput(_("Choose the agency this one belongs to."))
        require(actor, Action.AGENCY_MANAGE, new_parent)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        before = snapshot(agency, AUDITED_FIELDS)
        old_path = agency.path
        for name, value in changes.items():
            if name == "code":
                value = (value or "").strip() or None
            setattr(agency, name, value)
        agency.name_folded = fold(agency.name)
        _validate(agency)
        changed = [name for name in changes if before[name] != snapshot(agency, [name])[name]]
        if not changed:
            return agency
        if "parent" in changed:
            _set_path(agency)
        agency.save(update_fields=[*changed, "name_folded", "path", "depth", "updated_at"])
        if agency.path != old_path:
            # Re-root every descendant in one statement.
            depth_shift = agency.depth - (old_path.count("/") - 2)
            Agency.objects.filter(path__startswith=old_path).exclude(pk=agency.pk).update(
                path=Concat(Value(agency.path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + depth_shift,
            )
        bump(REVISION)
        after = snapshot(agency, AUDITED_FIELDS)
        audit_record(
            actor=actor,
            action="agency.update",
            obj=agency,
            agency=agency,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return agency
