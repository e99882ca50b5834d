"""Workflow factories: process definitions as a given.

Creating, test-running and activating a definition have their own tests (this package); a test
of what dossiers do under a definition takes one as it is, stored directly (draft by default,
trait `active`). The birth workflow of `documents.py` is the default content.
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from motcua.catalog.tests.factories import ProcedureFactory
from motcua.organizations.tests.factories import PROVINCE
from motcua.territory.models import Province
from motcua.workflows.constants import DefinitionStatus
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.spec import spec_hash

from .documents import birth_document


class ProcessDefinitionFactory(DjangoModelFactory):
    class Meta:
        model = ProcessDefinition

    class Params:
        active = factory.Trait(status=DefinitionStatus.ACTIVE)

    procedure = factory.SubFactory(ProcedureFactory)
    province = factory.LazyFunction(lambda: Province.objects.get(pk=PROVINCE))
    agency = None
    number = 1
    name = "Quy trình"
    status = DefinitionStatus.DRAFT
    document = factory.LazyFunction(birth_document)
    content_hash = factory.LazyAttribute(lambda o: spec_hash(o.document))
