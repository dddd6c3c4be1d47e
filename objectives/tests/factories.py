from datetime import date
from decimal import Decimal

import factory

from accounts.tests.factories import WorkspaceFactory
from objectives.models import Kpi, Objective, PeriodKind, Scope


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Objective {n}")
    period = PeriodKind.QUARTER
    starts_on = date(2027, 1, 1)
    ends_on = date(2027, 3, 31)
    scope = Scope.WORKSPACE
    kpi = Kpi.VIEWS
    target = Decimal("100000")
