"""Writes for the procedure catalog. Each checks `can`, audits, and runs in one transaction.

A version's content is one validated document (`content.ProcedureContent`); saving it writes
the document and its child rows (times, fees, components, legal bases) together. Only draft and
approved versions change; published, suspended and abolished ones are frozen, because dossiers
point at them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.authz import require
from motcua.accounts.constants import Action
from motcua.accounts.models import Grant, Role, User
from motcua.accounts.services import grant_create
from motcua.core.audit import audit_record, snapshot
from motcua.core.errors import Conflict, InvalidInput
from motcua.core.revisions import bump
from motcua.core.textnorm import fold
from motcua.organizations.models import Agency, AgencyKind
from motcua.territory.models import Commune

from . import completeness
from .constants import (
    FROZEN_STATUSES,
    OPEN_STATUSES,
    AuthorityKind,
    Channel,
    CompetentMode,
    ReceivingMode,
    VersionSource,
    VersionStatus,
)
from .content import ProcedureContent, content_parse
from .models import (
    CompetenceRule,
    Component,
    Fee,
    Field,
    FormTemplate,
    FullOnlineList,
    LegalBasis,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    ProcessingTime,
    PublicService,
)
from .permissions import catalog_scope
from .selectors import REVISION, version_gaps, version_in_force

MANAGE = Action.CATALOG_MANAGE


def field_upsert(*, code: str, name: str) -> Field:
    """Create or rename a field by its national code."""
    with transaction.atomic():
        field, created = Field.objects.get_or_create(
            code=code, defaults={"name": name, "name_folded": fold(name)}
        )
        if not created and name and field.name != name:
            field.name, field.name_folded = name, fold(name)
            field.save(update_fields=["name", "name_folded"])
            bump(REVISION)
    return field


def procedure_upsert(*, code: str, name: str, field: Field | None) -> Procedure:
    """Create a procedure identity, or update its name and field."""
    with transaction.atomic():
        procedure, created = Procedure.objects.get_or_create(
            code=code, defaults={"name": name, "name_folded": fold(name), "field": field}
        )
        if not created and (procedure.name != name or procedure.field_id != (field and field.pk)):
            procedure.name, procedure.name_folded, procedure.field = name, fold(name), field
            procedure.save(update_fields=["name", "name_folded", "field"])
            bump(REVISION)
    return procedure


def document_hash(document: dict[str, Any]) -> str:
    """A stable fingerprint of a content document (key order does not matter)."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _write_children(version: ProcedureVersion, content: ProcedureContent) -> None:
    version.times.all().delete()
    version.fees.all().delete()
    version.components.all().delete()
    version.legal_bases.all().delete()
    ProcessingTime.objects.bulk_create(
        ProcessingTime(
            version=version,
            order=i,
            channel=t.channel or "",
            case=t.case,
            amount=t.amount,
            unit=t.unit,
            cutoff=t.cutoff,
            description=t.description,
            note=t.note,
        )
        for i, t in enumerate(content.times)
    )
    Fee.objects.bulk_create(
        Fee(version=version, order=i, **{**f.model_dump(), "channel": f.channel or ""})
        for i, f in enumerate(content.fees)
    )
    templates = {
        t.code: t
        for t in FormTemplate.objects.filter(
            code__in=[c.form_template for c in content.components if c.form_template]
        ).only("pk", "code")
    }
    Component.objects.bulk_create(
        Component(
            version=version,
            order=i,
            **{
                **c.model_dump(exclude={"form_template"}),
                "form_template": templates.get(c.form_template),
            },
        )
        for i, c in enumerate(content.components)
    )
    LegalBasis.objects.bulk_create(
        LegalBasis(version=version, order=i, **b.model_dump())
        for i, b in enumerate(content.legal_bases)
    )


def _apply_columns(version: ProcedureVersion, content: ProcedureContent, field: Field) -> None:
    document = content.as_document()
    version.document = document
    version.content_hash = document_hash(document)
    version.name = content.name
    version.field = field
    version.level = content.level
    version.online_level = content.online_level
    version.is_province_specific = content.is_province_specific
    version.is_lien_thong = content.is_lien_thong
    version.decision_number = content.decision_number
    version.decision_date = content.decision_date
    version.effective_from = content.effective_from


def version_save(
    *,
    actor,
    content: ProcedureContent | dict[str, Any],
    source: str = VersionSource.MANUAL,
) -> ProcedureVersion:
    """Save `content` as the procedure's open version: a new draft, or the open one updated.

    A procedure has at most one version open for editing; saving into an approved version sends
    it back to draft. A new procedure code creates the procedure. Saving what the latest version
    already says is refused, so every version is a real change.
    """
    if not isinstance(content, ProcedureContent):
        content = content_parse(content)
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().filter(code=content.code).first()
        existing_field = Field.objects.filter(code=content.field_code).first()
        if procedure is None:
            require(actor, MANAGE, catalog_scope(field_id=existing_field and existing_field.pk))
        else:
            require(actor, MANAGE, procedure)
        if existing_field is None and not content.field_name:
            raise InvalidInput(
                _("The procedure content has errors."),
                errors={"field_name": [_("A new field needs its name.")]},
            )
        field = field_upsert(code=content.field_code, name=content.field_name)
        if procedure is None:
            procedure = Procedure.objects.create(
                code=content.code, name=content.name, name_folded=fold(content.name), field=field
            )
            audit_record(actor=actor, action="catalog.procedure.create", obj=procedure)
        document = content.as_document()
        new_hash = document_hash(document)
        version = procedure.versions.filter(status__in=OPEN_STATUSES).first()
        if version is None:
            latest = procedure.versions.order_by("-number").first()
            if latest is not None and latest.content_hash == new_hash:
                raise Conflict(
                    _("Nothing changed since version %(n)s.") % {"n": latest.number},
                    code="unchanged",
                )
            number = (procedure.versions.aggregate(m=Max("number"))["m"] or 0) + 1
            version = ProcedureVersion(procedure=procedure, number=number, created_by=actor)
            before = None
        elif version.content_hash == new_hash:
            return version
        else:
            before = {"status": version.status, "content_hash": version.content_hash}
        _apply_columns(version, content, field)
        version.status = VersionStatus.DRAFT
        version.source = source
        version.approved_by, version.approved_at = None, None
        version.save()
        _write_children(version, content)
        audit_record(
            actor=actor,
            action="catalog.version.save",
            obj=version,
            before=before,
            after={"status": version.status, "content_hash": version.content_hash},
            note=str(VersionSource(source).label),
        )
    return version


def version_update(
    *,
    actor,
    version: ProcedureVersion,
    content: ProcedureContent | dict[str, Any],
) -> ProcedureVersion:
    """Replace the content of a draft version (the edit page and `PUT …/versions/{n}`).

    Only a draft changes this way: an approved version was checked against the gate as it is,
    and published or later ones are frozen because dossiers point at them — a change to those
    is a new draft (`version_save`). The code is the procedure's identity and stays. The
    document is validated and written by `version_save`, the one path every import takes.
    """
    require(actor, MANAGE, version)
    if not isinstance(content, ProcedureContent):
        content = content_parse(content)
    with transaction.atomic():
        # Lock the rows so an approval cannot slip between the check and the write; the
        # procedure first, in the order version_save and version_publish take it.
        Procedure.objects.select_for_update().filter(pk=version.procedure_id).first()
        current = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        if current.status != VersionStatus.DRAFT:
            raise Conflict(
                _("Version %(n)s is %(s)s: only a draft can be edited.")
                % {"n": current.number, "s": VersionStatus(current.status).label},
                code="wrong_status",
            )
        if content.code != version.procedure.code:
            raise InvalidInput(
                _("The procedure content has errors."),
                errors={"code": [_("The procedure code of a version cannot change.")]},
            )
        saved = version_save(actor=actor, content=content, source=VersionSource.MANUAL)
    return saved


def _gap_error(found: list[completeness.Gap]) -> InvalidInput:
    errors: dict[str, list[str]] = {}
    for gap in found:
        errors.setdefault(gap.where or gap.code, []).append(gap.message)
    return InvalidInput(
        _("The procedure is incomplete: %(n)s part(s) missing or inconsistent.")
        % {"n": len(found)},
        errors=errors,
        code="incomplete",
    )


def _transition(
    version: ProcedureVersion, old: set[str], new: str, **changes: Any
) -> ProcedureVersion:
    """Move `version` from one of `old` to `new`, refusing if someone moved it first."""
    if version.status not in old:
        raise Conflict(
            _("Version %(n)s is %(s)s; this action is not possible.")
            % {"n": version.number, "s": VersionStatus(version.status).label},
            code="wrong_status",
        )
    updated = ProcedureVersion.objects.filter(pk=version.pk, status=version.status).update(
        status=new, **changes
    )
    if updated != 1:
        raise Conflict(_("Someone else changed this version first. Reload and try again."))
    # Submissions read the version in force and the procedure from the shared cache.
    bump(REVISION)
    version.refresh_from_db()
    return version


def version_approve(*, actor, version: ProcedureVersion) -> ProcedureVersion:
    """Draft → approved, once the content passes the completeness gate."""
    require(actor, MANAGE, version)
    with transaction.atomic():
        found = version_gaps(version)
        if found:
            raise _gap_error(found)
        before = version.status
        _transition(
            version,
            {VersionStatus.DRAFT},
            VersionStatus.APPROVED,
            approved_by=actor if actor and actor.pk else None,
            approved_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="catalog.version.approve",
            obj=version,
            before={"status": before},
            after={"status": version.status},
        )
    return version


def _refresh_procedure(procedure: Procedure) -> None:
    """Copy the listing columns from the version in force today (or the latest published)."""
    current = version_in_force(procedure) or (
        procedure.versions.filter(status__in=FROZEN_STATUSES).order_by("-effective_from").first()
    )
    if current is None:
        return
    procedure.name = current.name
    procedure.name_folded = fold(current.name)
    procedure.field = current.field
    procedure.level = current.level
    procedure.online_level = current.online_level
    procedure.is_province_specific = current.is_province_specific
    procedure.is_published = current.status == VersionStatus.PUBLISHED
    procedure.save(
        update_fields=[
            "name",
            "name_folded",
            "field",
            "level",
            "online_level",
            "is_province_specific",
            "is_published",
            "updated_at",
        ]
    )


def version_publish(*, actor, version: ProcedureVersion) -> ProcedureVersion:
    """Approved → published: from its effective date, new dossiers use this version.

    The gate runs again (the competence configuration may have changed since approval). Two
    versions of a procedure never take effect on the same day, so the version in force on any
    date is unambiguous.
    """
    require(actor, MANAGE, version)
    with transaction.atomic():
        Procedure.objects.select_for_update().filter(pk=version.procedure_id).first()
        found = version_gaps(version)
        if found:
            raise _gap_error(found)
        clash = version.procedure.versions.filter(
            status__in=FROZEN_STATUSES, effective_from=version.effective_from
        ).first()
        if clash is not None:
            raise Conflict(
                _("Version %(n)s already takes effect on %(d)s.")
                % {"n": clash.number, "d": version.effective_from.strftime("%d/%m/%Y")}
            )
        try:
            with transaction.atomic():
                _transition(
                    version,
                    {VersionStatus.APPROVED},
                    VersionStatus.PUBLISHED,
                    published_by=actor if actor and actor.pk else None,
                    published_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict(_("Someone else published a version first. Reload.")) from exc
        _refresh_procedure(version.procedure)
        audit_record(
            actor=actor,
            action="catalog.version.publish",
            obj=version,
            before={"status": VersionStatus.APPROVED},
            after={"status": version.status, "effective_from": str(version.effective_from)},
        )
    return version


def _status_change(
    *, actor, version: ProcedureVersion, old: set[str], new: str, action: str, reason: str
) -> ProcedureVersion:
    require(actor, MANAGE, version)
    if new != VersionStatus.PUBLISHED and not reason.strip():
        raise InvalidInput(
            _("State the reason."), errors={"reason": [_("This value is required.")]}
        )
    with transaction.atomic():
        before = version.status
        _transition(version, old, new, status_reason=reason.strip()[:500])
        _refresh_procedure(version.procedure)
        audit_record(
            actor=actor,
            action=action,
            obj=version,
            before={"status": before},
            after={"status": version.status},
            note=reason,
        )
    return version


def version_suspend(*, actor, version: ProcedureVersion, reason: str) -> ProcedureVersion:
    """Published → suspended: no new dossiers until it is resumed (dossiers in flight go on)."""
    return _status_change(
        actor=actor,
        version=version,
        old={VersionStatus.PUBLISHED},
        new=VersionStatus.SUSPENDED,
        action="catalog.version.suspend",
        reason=reason,
    )


def version_resume(*, actor, version: ProcedureVersion) -> ProcedureVersion:
    """Suspended → published."""
    return _status_change(
        actor=actor,
        version=version,
        old={VersionStatus.SUSPENDED},
        new=VersionStatus.PUBLISHED,
        action="catalog.version.resume",
        reason="",
    )


def version_abolish(*, actor, version: ProcedureVersion, reason: str) -> ProcedureVersion:
    """Published or suspended → abolished (bãi bỏ): the procedure takes no more dossiers."""
    return _status_change(
        actor=actor,
        version=version,
        old={VersionStatus.PUBLISHED, VersionStatus.SUSPENDED},
        new=VersionStatus.ABOLISHED,
        action="catalog.version.abolish",
        reason=reason,
    )


RULE_FIELDS = [
    "commune",
    "mode",
    "agency",
    "authority",
    "delegated_by",
    "delegation_basis",
    "receiving",
]


def _rule_snapshot(rule: CompetenceRule) -> dict[str, Any]:
    return snapshot(rule, RULE_FIELDS)


def competence_rule_set(
    *,
    actor,
    procedure: Procedure,
    mode: str,
    commune: Commune | None = None,
    agency: Agency | None = None,
    authority: str = AuthorityKind.COMPETENT,
    delegated_by: Agency | None = None,
    delegation_basis: str = "",
    receiving: str = ReceivingMode.COMPETENT_AGENCY,
    desks: Iterable[Agency] = (),
) -> CompetenceRule:
    """Configure who settles `procedure` for `commune` (None: the whole province)."""
    require(actor, MANAGE, procedure)
    desks = list(desks)
    # Every agency the rule names must be one whose catalog the actor manages: another
    # province's administrator cannot tie a shared procedure to this province's agencies.
    for named in (agency, delegated_by, *desks):
        if named is not None:
            require(actor, MANAGE, named)
    errors: dict[str, list[str]] = {}
    if mode not in CompetentMode.values:
        errors["mode"] = [_("Unknown value.")]
    if mode == CompetentMode.AGENCY and agency is None:
        errors["agency"] = [_("Name the competent agency.")]
    if mode == CompetentMode.LOCAL_COMMUNE and agency is not None:
        errors["agency"] = [_("The commune's People's Committee is competent; name no agency.")]
    if authority not in AuthorityKind.values:
        errors["authority"] = [_("Unknown value.")]
    elif authority != AuthorityKind.COMPETENT and delegated_by is None:
        errors["delegated_by"] = [_("Name the agency that decentralised or authorised it.")]
    elif authority != AuthorityKind.COMPETENT and not delegation_basis.strip():
        errors["delegation_basis"] = [_("State the decision that decentralised or authorised it.")]
    if receiving not in ReceivingMode.values:
        errors["receiving"] = [_("Unknown value.")]
    elif receiving == ReceivingMode.LISTED and not desks:
        errors["desks"] = [_("List at least one desk.")]
    bad_desks = [d.name for d in desks if d.kind not in {AgencyKind.DESK, AgencyKind.ONE_STOP_UNIT}]
    if bad_desks:
        errors["desks"] = [
            _("Not a one-stop desk or unit: %(names)s.") % {"names": ", ".join(bad_desks)}
        ]
    # A unit may settle (e.g. the land registration office under its department); a desk only
    # receives.
    if agency is not None and agency.kind in {AgencyKind.DESK, AgencyKind.ONE_STOP_UNIT}:
        errors["agency"] = [_("A one-stop desk or unit receives dossiers; it cannot be competent.")]
    if errors:
        raise InvalidInput(_("The competence rule has errors."), errors=errors)
    with transaction.atomic():
        rule = CompetenceRule.objects.filter(procedure=procedure, commune=commune).first()
        before = None
        if rule is None:
            rule = CompetenceRule(procedure=procedure, commune=commune)
        else:
            before = _rule_snapshot(rule)
        rule.mode = mode
        rule.agency = agency
        rule.authority = authority
        rule.delegated_by = delegated_by
        rule.delegation_basis = delegation_basis.strip()
        rule.receiving = receiving
        rule.save()
        rule.desks.set(desks if receiving == ReceivingMode.LISTED else [])
        bump(REVISION)  # routing reads competence from the shared cache
        audit_record(
            actor=actor,
            action="catalog.competence.set",
            obj=rule,
            agency=agency,
            before=before,
            after=_rule_snapshot(rule) | {"desks": [d.pk for d in desks]},
        )
    return rule


def competence_rule_delete(*, actor, rule: CompetenceRule) -> None:
    """Remove a locality's rule (the province-wide default applies again)."""
    require(actor, MANAGE, rule)
    with transaction.atomic():
        audit_record(actor=actor, action="catalog.competence.delete", obj=rule)
        rule.delete()
        bump(REVISION)


ALLOWED_TEMPLATE_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html; charset=utf-8",
}
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def form_template_save(
    *, actor, code: str, name: str, file_name: str, content: bytes, legal_basis: str = ""
) -> FormTemplate:
    """Store (or replace) a form template file citizens download."""
    require(actor, MANAGE, catalog_scope())
    extension = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    errors: dict[str, list[str]] = {}
    if not code.strip():
        errors["code"] = [_("This value is required.")]
    if not name.strip():
        errors["name"] = [_("This value is required.")]
    if extension not in ALLOWED_TEMPLATE_TYPES:
        errors["file"] = [
            _("Allowed file types: %(t)s.") % {"t": ", ".join(sorted(ALLOWED_TEMPLATE_TYPES))}
        ]
    if not content:
        errors["file"] = [_("The file is empty.")]
    elif len(content) > MAX_TEMPLATE_BYTES:
        errors["file"] = [_("The file is larger than 10 MB.")]
    if errors:
        raise InvalidInput(_("The form template has errors."), errors=errors)
    with transaction.atomic():
        template, created = FormTemplate.objects.update_or_create(
            code=code.strip(),
            defaults={
                "name": name.strip(),
                "legal_basis": legal_basis.strip(),
                "file_name": file_name,
                "content_type": ALLOWED_TEMPLATE_TYPES[extension],
                "content": content,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            },
        )
        audit_record(
            actor=actor,
            action="catalog.form_template.create" if created else "catalog.form_template.update",
            obj=template,
            after={"sha256": template.sha256, "size": template.size},
        )
    return template


def life_event_save(
    *,
    actor,
    code: str,
    name: str,
    description: str = "",
    order: int = 0,
    procedures: Iterable[Procedure] = (),
) -> LifeEvent:
    """Create or update a life event and the procedures it groups."""
    require(actor, MANAGE, catalog_scope())
    if not name.strip():
        raise InvalidInput(
            _("The life event has errors."), errors={"name": [_("This value is required.")]}
        )
    with transaction.atomic():
        event, _created = LifeEvent.objects.update_or_create(
            code=code, defaults={"name": name.strip(), "description": description, "order": order}
        )
        event.procedures.set(list(procedures))
        audit_record(actor=actor, action="catalog.life_event.save", obj=event)
    return event


def public_service_declare(
    *,
    actor,
    procedure: Procedure,
    agency: Agency,
    channel: str,
    officials: Iterable[User] = (),
) -> PublicService:
    """Declare that `agency` offers `procedure` on `channel` (R26), and let `officials` receive it.

    Each official gets a receiving-officer grant at `agency` limited to this procedure, so the
    foundation's `can()` decides reception like any other right; withdrawing the service revokes
    exactly these grants.
    """
    require(actor, MANAGE, procedure)
    officials = list(officials)
    errors: dict[str, list[str]] = {}
    current = version_in_force(procedure)
    if current is None or current.status != VersionStatus.PUBLISHED:
        errors["procedure"] = [_("Only a published procedure can be offered as a service.")]
    elif channel not in current.document.get("channels", []):
        errors["channel"] = [
            _("The procedure is not offered on the channel: %(c)s.")
            % {"c": Channel(channel).label if channel in Channel.values else channel}
        ]
    outsiders = [
        o.get_username()
        for o in officials
        if o.kind != User.Kind.OFFICIAL
        or not o.is_active
        or o.agency is None
        or o.agency.province_id != agency.province_id
    ]
    if outsiders:
        errors["officials"] = [
            _("Not an active official of this province: %(u)s.") % {"u": ", ".join(outsiders)}
        ]
    if errors:
        raise InvalidInput(_("The public service cannot be declared."), errors=errors)
    role = Role.objects.get(code="receiving_officer")
    with transaction.atomic():
        service, _created = PublicService.objects.get_or_create(
            procedure=procedure,
            agency=agency,
            channel=channel,
            defaults={"declared_by": actor if actor and actor.pk else None},
        )
        if not service.is_active:
            service.is_active = True
            service.save(update_fields=["is_active"])
        held = {g.user_id for g in service.grants.filter(revoked_at__isnull=True)}
        for official in officials:
            if official.pk in held:
                continue
            # The one service that creates grants decides who may hand this role out (no one
            # to themselves, only what they hold themselves); an identical grant the official
            # already holds is left alone, and stays when the service is withdrawn.
            already = Grant.objects.filter(
                user=official,
                role=role,
                agency=agency,
                include_subtree=True,
                field=None,
                procedure=procedure,
                revoked_at__isnull=True,
            ).exists()
            if already:
                continue
            grant = grant_create(
                actor=actor,
                user=official,
                role=role,
                agency=agency,
                include_subtree=True,
                procedure=procedure,
            )
            service.grants.add(grant)
        audit_record(
            actor=actor,
            action="catalog.service.declare",
            obj=service,
            agency=agency,
            after={"officials": [o.pk for o in officials]},
        )
    return service


def public_service_withdraw(*, actor, service: PublicService, note: str = "") -> PublicService:
    """Stop offering a service and revoke the receiving grants its declaration created."""
    require(actor, MANAGE, service)
    with transaction.atomic():
        now = timezone.now()
        service.grants.filter(revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor if actor and actor.pk else None
        )
        service.is_active = False
        service.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="catalog.service.withdraw",
            obj=service,
            agency=service.agency,
            note=note,
        )
    return service


def full_online_list_create(
    *,
    actor,
    decision_number: str,
    decision_date,
    issuer: str,
    procedures: Iterable[Procedure],
    note: str = "",
) -> FullOnlineList:
    """Record the province's approved list of full-online procedures (R25)."""
    require(actor, MANAGE, catalog_scope())
    procedures = list(procedures)
    errors: dict[str, list[str]] = {}
    if not decision_number.strip():
        errors["decision_number"] = [_("This value is required.")]
    elif FullOnlineList.objects.filter(decision_number=decision_number.strip()).exists():
        errors["decision_number"] = [_("This decision is already recorded.")]
    if decision_date is None:
        errors["decision_date"] = [_("This value is required.")]
    if not issuer.strip():
        errors["issuer"] = [_("This value is required.")]
    if not procedures:
        errors["procedures"] = [_("List at least one procedure.")]
    if errors:
        raise InvalidInput(_("The full-online list has errors."), errors=errors)
    with transaction.atomic():
        decision = FullOnlineList.objects.create(
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            issuer=issuer.strip(),
            note=note,
            created_by=actor if actor and actor.pk else None,
        )
        decision.procedures.set(procedures)
        audit_record(
            actor=actor,
            action="catalog.full_online_list.create",
            obj=decision,
            after={"procedures": sorted(p.code for p in procedures)},
        )
    return decision
