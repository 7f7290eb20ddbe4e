from __future__ import annotations

import factory

from accounts.models import Role, StaffRole
from accounts.tests.factories import AgencyFactory, UserFactory
from queueing.models import Counter, Service


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: str(n % 9 + 1))
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class CounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counter

    agency = factory.SubFactory(AgencyFactory)
    number = factory.Sequence(lambda n: n + 1)


def officer_of(agency, **kwargs):
    user = UserFactory(**kwargs)
    StaffRole.objects.create(user=user, agency=agency, role=Role.RECEPTION)
    return user
