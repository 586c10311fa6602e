"""The API's one pagination: limit and offset bounded, so that no list route passes the database
a number it cannot hold (a 64-bit overflow was a server error; now it is a 422)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination

# A page larger than this is a mistake or an attack, never a need: the default page is 100.
MAX_LIMIT = 1000
# Far above any real list (the state holds ~5 M SKUs), far below SQLite's and PostgreSQL's
# 64-bit integers, so that offset + limit cannot overflow either.
MAX_OFFSET = 10**12


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """django-ninja's limit/offset, with both numbers bounded (settings.NINJA_PAGINATION_CLASS)."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, max_limit: int = MAX_LIMIT, **kwargs: object) -> None:
        super().__init__(max_limit=max_limit, **kwargs)
