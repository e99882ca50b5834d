"""Kết quả giải quyết ký số (R28): the signing step signs the draft result, return hands it over.

A dossier following a configured workflow (a `ProcessDefinition`) with a step of kind SIGN
needs its result as a file: the specialist uploads the draft (a PDF, Document kind
draft_result, through the documents app), and the leader's completing action at the SIGN step
signs it (`signing.services.sign_pdf_record`: the official's signature, then the seal of the
competent agency's organization, PAdES B-T with the QR code to the public verification page).
The signed PDF is stored as the dossier's result (Document kind result, source generated,
owned by the applicant: in their data warehouse), and return refuses a dossier of such a
workflow that has none.

Dossiers on the built-in default process (no definition: `DOSSIER_DEFAULT_PROCESS`) have no
configured result, so their "Ký duyệt" signs the draft when the specialist uploaded one and is a
recorded decision without a file otherwise; return hands over what was signed. A migrated
dossier (migration app) still being processed signs here like any other, but one settled in the
old system returns without a file, and so does a dossier whose signing step was completed
before signed results existed (its completion records no result: `_signed_without_file`). A
workflow's test-run (sandbox.py, `is_sandbox`) signs nothing: it runs inside a savepoint at
definition time, often before the time-stamping authority is reachable (demo_setup), and what it
checks is the route, the officials and the deadlines.

Ordering. Signing calls the time-stamping authority (and, in remote mode, waits for the
signer's confirmation) over HTTP, so it happens before the dossier's transaction, never inside
it: `result_sign` reads the dossier and checks the version the caller saw, the actor's right to
act, the step and the draft, then signs. `dossier_act` then, in one transaction, checks the
version again under the dossier's lock (a dossier that moved meanwhile: "stale") and that the
signed draft is still the current one under the draft's row lock (replaced or superseded
meanwhile: Conflict "draft_changed"), stores the result and completes the step. When a check
fails nothing of the dossier changes and the signed bytes are discarded; the registry row
(`SignedDocument`) that `sign_pdf_record` committed stays: a true record that this agency signed
those bytes, which no one holds (the verification page would answer for them as signed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, InvalidInput
from motcua.workflows.constants import StepAction, StepKind
from motcua.workflows.spec import Step

from ..lifecycle import Context, Op
from ..lifecycle import check as lifecycle_check
from ..models import Dossier
from ..process import current_step, organization_of, spec_of
from .events import check_version, load

# The actions that complete a signing step towards the result (send-back and refusal do not).
SIGNING_ACTIONS = (StepAction.FORWARD, StepAction.APPROVE)
PDF = "application/pdf"


def result_required(d: Dossier) -> bool:
    """Does the dossier's workflow issue a signed result (a configured definition with a SIGN
    step)?"""
    return d.definition_id is not None and result_signable(d)


def result_signable(d: Dossier) -> bool:
    """Can the dossier's workflow sign a result (a SIGN step: required by a configured
    definition, the draft optional on the default process)?"""
    return not d.is_sandbox and any(s.kind == StepKind.SIGN for s in spec_of(d).steps)


def signs_result(d: Dossier, step: Step, action: str) -> bool:
    """Does completing `step` with `action` sign the result (the draft, when there is one:
    `result_required` says whether there must be)?"""
    return (
        step.kind == StepKind.SIGN
        and action in SIGNING_ACTIONS
        and step.allows(action)
        and not d.is_sandbox
    )


def draft_current(d: Dossier, *, lock: bool = False):
    """The draft result the leader signs: the latest current Document of kind draft_result."""
    from motcua.documents.constants import DocumentKind
    from motcua.documents.models import Document

    qs = Document.objects.filter(dossier=d, kind=DocumentKind.DRAFT_RESULT, is_current=True)
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("-uploaded_at", "-pk").first()


def result_current(d: Dossier):
    """The dossier's signed result in force, if any."""
    from motcua.documents.constants import DocumentKind
    from motcua.documents.models import Document

    return (
        Document.objects.filter(dossier=d, kind=DocumentKind.RESULT, is_current=True)
        .order_by("-version", "-pk")
        .first()
    )


def _missing(d: Dossier) -> Conflict:
    return Conflict(
        _(
            "Dossier %(code)s has no draft result: the specialist uploads the draft result "
            "(a PDF, kind “Draft result”) in its Papers section before it is signed."
        )
        % {"code": d.code},
        code="result_missing",
    )


@dataclass(frozen=True)
class SignedResult:
    """The draft that was signed and the signed PDF, checked as a paper, ready to store."""

    draft_id: int
    checked: object  # documents.inspection.Inspected
    record_id: int


def result_sign(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    action: str,
    now: dt.datetime,
) -> SignedResult | None:
    """Sign the dossier's draft result when completing its current step with `action` signs
    it (None otherwise). Outside any transaction of the dossier: see the module docstring."""
    from motcua.documents.inspection import inspect
    from motcua.documents.storage import blob_open
    from motcua.signing.constants import SignedKind
    from motcua.signing.services import sign_pdf_record

    d = load(dossier.pk)
    check_version(d, expected_version)
    try:
        step = current_step(d)
    except Conflict:
        return None  # not at a step: the transaction refuses it as usual
    if not signs_result(d, step, action):
        return None
    # Who may act, before anything is signed in their name.
    lifecycle_check(Op.STEP, actor, d, Context(now=now))
    draft = draft_current(d)
    if draft is None:
        if result_required(d):
            raise _missing(d)
        return None  # the default process: a decision without a file
    if draft.content_type != PDF:
        raise Conflict(
            _("The draft result of dossier %(code)s is not a PDF: upload it as a PDF to sign it.")
            % {"code": d.code},
            code="result_not_pdf",
        )
    with blob_open(draft.storage_name) as f:
        pdf = f.read()
    signed = sign_pdf_record(
        actor=actor,
        pdf=pdf,
        agency=organization_of(d.competent_agency),
        signer=actor,
        reason=_("Result of dossier %(code)s") % {"code": d.code},
        dossier_code=d.code,
        kind=SignedKind.RESULT,
    )
    checked = inspect(signed.pdf, name=f"ket-qua-{d.code}.pdf", scan=False)
    return SignedResult(draft_id=draft.pk, checked=checked, record_id=signed.record.pk)


def result_store(
    *, actor: User, d: Dossier, step: Step, action: str, signed: SignedResult | None, now
) -> dict:
    """Inside `dossier_act`'s transaction, with the dossier locked and its version checked:
    store the signed result when this action signs it, if the draft signed is still current.
    Returns what the step's history row records of it ({} when nothing was signed)."""
    from motcua.documents.services import document_result_add

    if not signs_result(d, step, action):
        return {}
    draft = draft_current(d, lock=True)
    if draft is None:
        if signed is None and not result_required(d):
            return {}
        raise _missing(d)
    if signed is None or draft.pk != signed.draft_id:
        raise Conflict(
            _(
                "The draft result of dossier %(code)s changed while it was being signed: "
                "nothing was changed; check the new draft and sign again."
            )
            % {"code": d.code},
            code="draft_changed",
        )
    result = document_result_add(actor=actor, dossier=d, checked=signed.checked, now=now)
    return {"result": {"document": result.pk, "sha256": result.sha256}}


def _settled_elsewhere(d: Dossier) -> bool:
    """A migrated dossier (migration app) may have been signed and settled in the old system:
    its result is on paper or there, and it returns as before."""
    from motcua.migration.models import MigratedDossier

    return MigratedDossier.objects.filter(dossier_id=d.pk).exists()


def _signed_without_file(d: Dossier) -> bool:
    """Was the dossier's signing step completed without a file? Every completion that signs a
    result records it (`result_store`), so one that records none was signed before signed
    results existed (a dossier settled under the old code): its result is on paper, and it
    returns as before rather than being stuck at the return desk."""
    spec = spec_of(d)
    keys = [s.key for s in spec.steps if s.kind == StepKind.SIGN]
    latest = (
        d.events.filter(from_step__in=keys, action__in=SIGNING_ACTIONS)
        .order_by("-seq")
        .only("data")
        .first()
    )
    return latest is not None and "result" not in (latest.data or {})


def result_check_return(d: Dossier):
    """Return hands over the signed result (the one in force, or None when the dossier has
    none): refused for a dossier of a workflow that signs one, while it has none."""
    result = result_current(d)
    if (
        result is None
        and result_required(d)
        and not _settled_elsewhere(d)
        and not _signed_without_file(d)
    ):
        raise Conflict(
            _(
                "Dossier %(code)s has no signed result: its workflow has a signing step, so "
                "the result is returned only once it is signed."
            )
            % {"code": d.code},
            code="result_missing",
        )
    return result


# The general template's text: at most this many characters (a page or two of decision text).
DRAFT_TEXT_MAX = 20_000
DRAFT_TITLE_MAX = 255


def result_draft_generate(
    *,
    actor: User | None,
    dossier: Dossier,
    text: str,
    title: str = "",
    now: dt.datetime | None = None,
):
    """Lập dự thảo kết quả từ mẫu: the specialist writes the result's text and the system lays
    it out as the competent agency's document (Decree 30/2020/NĐ-CP presentation: header, the
    result's name from the catalog as title, the dossier it settles, the text, the signing
    leader's block), stored as the dossier's draft result (a new version of the draft in
    force, if any) through the documents app, whose rule decides who may. The signing step
    then signs it like an uploaded draft."""
    from django.utils import timezone

    from motcua.documents.constants import DocumentKind
    from motcua.documents.services import document_add, document_replace, document_write_check
    from motcua.printing.pdf import render_pdf

    from ..constants import ApplicantKind
    from ..documents import _common

    text, title = (text or "").strip(), (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("Write the result's text.")]
    elif len(text) > DRAFT_TEXT_MAX:
        errors["text"] = [_("At most %(n)d characters.") % {"n": DRAFT_TEXT_MAX}]
    if len(title) > DRAFT_TITLE_MAX:
        errors["title"] = [_("At most %(n)d characters.") % {"n": DRAFT_TITLE_MAX}]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
    d = load(dossier.pk)
    document_write_check(actor, d)  # the documents app's rule, before any work is done
    if not result_signable(d):
        raise Conflict(
            _("Dossier %(code)s has no signing step: its result is not drafted here.")
            % {"code": d.code},
            code="no_signing_step",
        )
    content = d.procedure_version.document or {}
    # The catalog's result ("Giấy khai sinh; Bản sao trích lục…"): its first item names it.
    catalog_name = str(content.get("result_name") or "").split(";")[0].strip()[:DRAFT_TITLE_MAX]
    title = title or catalog_name or "Kết quả giải quyết thủ tục hành chính"
    context = {
        **_common(d, d.competent_agency),
        "issued_at": now or timezone.now(),
        "form": {"title": title, "footnote": f"Kết quả giải quyết hồ sơ {d.code}"},
        "title": title,
        "applicant_label": (
            "tổ chức" if d.applicant_kind == ApplicantKind.ORGANIZATION else "Ông/Bà"
        ),
        "paragraphs": [line.strip() for line in text.splitlines() if line.strip()],
        "validity": str(content.get("result_validity") or ""),
        "signer_role": f"TM. {d.competent_agency.name}".upper(),
    }
    pdf = render_pdf("printing/result_draft.html", context)
    name = f"du-thao-ket-qua-{d.code}.pdf"
    draft = draft_current(d)
    if draft is not None:
        return document_replace(actor=actor, document=draft, content=pdf, name=name, now=now)
    return document_add(
        actor=actor, dossier=d, content=pdf, name=name, kind=DocumentKind.DRAFT_RESULT, now=now
    )
