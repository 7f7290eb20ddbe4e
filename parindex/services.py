"""Writes on index configurations."""

from __future__ import annotations

from django.db import transaction

from .models import Criterion, IndexConfig


@transaction.atomic
def config_copy(*, config: IndexConfig) -> IndexConfig:
    """A draft copy of a configuration with its whole tree of criteria."""
    base, n = f"{config.version}-ban-sao", 1
    version = base
    while IndexConfig.objects.filter(code=config.code, version=version).exists():
        n += 1
        version = f"{base}-{n}"
    copy = IndexConfig.objects.create(code=config.code, version=version, name=f"{config.name} (bản sao)"[:300],
                                      kind=config.kind,
                                      effective_from=config.effective_from, status="draft", source=config.source)
    mapping = {}
    pending = list(config.criteria.all())  # parents before their children, whatever the order read
    while pending:
        rest = []
        for c in pending:
            if c.parent_id and c.parent_id not in mapping:
                rest.append(c)
                continue
            mapping[c.pk] = Criterion.objects.create(
                config=copy, parent=mapping.get(c.parent_id), code=c.code, name=c.name, order=c.order,
                max_points=c.max_points, method=c.method, metric=c.metric, rule=c.rule)
        pending = rest
    return copy
