"""Query expressions Django lacks."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler


class EqualsAny(models.Func):
    """`column = ANY(ARRAY(subquery))`, for PostgreSQL: the subquery runs once, before the rest
    (an InitPlan), and its rows are then looked up by the column's index. Written as
    `column IN (subquery)`, the planner may instead walk the outer rows and test each one, which
    is what it does when it thinks the outer side small."""

    output_field = models.BooleanField()

    def __init__(self, column: str, queryset: models.QuerySet[Any]) -> None:
        super().__init__(models.F(column), models.Subquery(queryset))

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, subquery = (compiler.compile(part) for part in self.get_source_expressions())
        return f"{column[0]} = ANY(ARRAY{subquery[0]})", (*column[1], *subquery[1])
