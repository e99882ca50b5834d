"""Catalog factories: fields, procedures, form templates, versions and competence rules.

Versions and rules are made by `catalog.services` (`version_save`, `competence_rule_set`,
`version_approve`, `version_publish`), so a published version has passed the completeness gate
like any other; field and procedure identities by the upserts the import uses.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from motcua.accounts.tests.factories import SuperuserFactory
from motcua.catalog.constants import CompetentMode, VersionStatus
from motcua.catalog.models import CompetenceRule, Field, FormTemplate, Procedure, ProcedureVersion
from motcua.catalog.services import (
    competence_rule_set,
    field_upsert,
    form_template_save,
    procedure_upsert,
    version_approve,
    version_publish,
    version_save,
)

from .documents import document


class FieldFactory(DjangoModelFactory):
    """A field by its national code (created, or renamed, by `field_upsert`)."""

    class Meta:
        model = Field

    code = "G15-TP07"
    name = "Hộ tịch"

    @classmethod
    def _create(cls, model_class, **kwargs: Any) -> Field:
        return field_upsert(**kwargs)


class ProcedureFactory(DjangoModelFactory):
    """A procedure identity, without any version (`procedure_upsert`)."""

    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.LazyAttribute(lambda o: f"Thủ tục {o.code}")
    field = factory.SubFactory(FieldFactory)

    @classmethod
    def _create(cls, model_class, **kwargs: Any) -> Procedure:
        return procedure_upsert(**kwargs)


class FormTemplateFactory(DjangoModelFactory):
    """A form template file (`form_template_save`): the birth declaration by default."""

    class Meta:
        model = FormTemplate

    actor = factory.SubFactory(SuperuserFactory)
    code = "TP-HT-KS"
    name = "Tờ khai đăng ký khai sinh"
    file_name = "to-khai-khai-sinh.html"
    content = "<h1>TỜ KHAI ĐĂNG KÝ KHAI SINH</h1>".encode()

    @classmethod
    def _create(cls, model_class, **kwargs: Any) -> FormTemplate:
        return form_template_save(**kwargs)


class CompetenceRuleFactory(DjangoModelFactory):
    """Who settles a procedure (`competence_rule_set`): by default each commune for its own
    residents, received at its own desks."""

    class Meta:
        model = CompetenceRule

    actor = factory.SubFactory(SuperuserFactory)
    procedure = factory.SubFactory(ProcedureFactory)
    mode = CompetentMode.LOCAL_COMMUNE

    @classmethod
    def _create(cls, model_class, **kwargs: Any) -> CompetenceRule:
        return competence_rule_set(**kwargs)


class ProcedureVersionFactory(DjangoModelFactory):
    """A version of `content` (a complete birth registration by default), saved as a draft by
    `version_save`; with `competence` (competence_rule_set arguments, None for none) set before
    it moves on. Traits `approved` and `published` take it through the completeness gate; the
    form templates its components name are stored first when missing (`forms=False` not to).
    """

    class Meta:
        model = ProcedureVersion

    class Params:
        approved = factory.Trait(state=VersionStatus.APPROVED)
        published = factory.Trait(state=VersionStatus.PUBLISHED)

    actor = factory.SubFactory(SuperuserFactory)
    content = factory.LazyFunction(document)
    competence = factory.LazyFunction(lambda: {"mode": CompetentMode.LOCAL_COMMUNE})
    forms = True
    state = VersionStatus.DRAFT

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        actor,
        content: dict[str, Any],
        competence: dict[str, Any] | None,
        forms: bool,
        state: str,
        **kwargs: Any,
    ) -> ProcedureVersion:
        version = version_save(actor=actor, content=content, **kwargs)
        if competence is not None:
            CompetenceRuleFactory(actor=actor, procedure=version.procedure, **competence)
        if state == VersionStatus.DRAFT:
            return version
        if forms:
            for component in content.get("components", []):
                code = component.get("form_template")
                if code and not FormTemplate.objects.filter(code=code).exists():
                    FormTemplateFactory(actor=actor, code=code, name=component["name"])
        version_approve(actor=actor, version=version)
        if state == VersionStatus.PUBLISHED:
            version_publish(actor=actor, version=version)
        return version
