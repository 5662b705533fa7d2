"""Keyset pagination: an ordered list of sort keys, and an opaque cursor holding the last row's keys."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from casework.errors import ValidationFailed

_DECODERS: dict[type, Any] = {
    int: int,
    str: str,
    dt.date: dt.date.fromisoformat,
    dt.datetime: dt.datetime.fromisoformat,
}


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of a sort order; the last key of an order must be unique (the id)."""

    attribute: InstrumentedAttribute[Any]
    python_type: type
    descending: bool = False

    def order(self) -> UnaryExpression[Any]:
        """The ORDER BY term of this key."""
        return self.attribute.desc() if self.descending else self.attribute.asc()


def order_terms(keys: Sequence[SortKey]) -> list[UnaryExpression[Any]]:
    """The ORDER BY terms of a sort order."""
    return [key.order() for key in keys]


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """The condition selecting the rows that come after ``values`` in this sort order.

    Spelled as nested OR/AND rather than a row-value comparison because the keys may sort in
    different directions (priority descending, then deadline ascending).
    """
    clauses: list[ColumnElement[bool]] = []
    for index, key in enumerate(keys):
        equal_so_far = [keys[i].attribute == values[i] for i in range(index)]
        beyond = key.attribute < values[index] if key.descending else key.attribute > values[index]
        clauses.append(and_(*equal_so_far, beyond))
    return or_(false(), *clauses)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def encode_cursor(order_name: str, values: Sequence[Any]) -> str:
    """Wrap the last row's sort values in an opaque, URL-safe cursor."""
    raw = json.dumps({"o": order_name, "v": [_plain(value) for value in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order_name: str, keys: Sequence[SortKey]) -> list[Any]:
    """Read a cursor made by ``encode_cursor`` for the same order; refuse anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values = data["v"]
        if data["o"] != order_name or len(values) != len(keys):
            raise ValueError("cursor made for another order")
        return [_DECODERS[key.python_type](value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, KeyError, binascii.Error) as error:
        raise ValidationFailed("invalid cursor", field="cursor") from error
