"""The tenant-scoped queryset every domain model uses.

Every selector starts from `Model.objects.for_company(company)`, so an id of
another company is simply not found.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class CompanyQuerySet(models.QuerySet[M]):
    def for_company(self, company: Any) -> CompanyQuerySet[M]:
        if company is None:
            return self.none()
        company_id = company if isinstance(company, int) else company.pk
        return self.filter(company_id=company_id)


CompanyManager = models.Manager.from_queryset(CompanyQuerySet)
