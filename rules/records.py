"""Fast construction of frozen, slotted dataclasses on the hot path.

A frozen dataclass's `__init__` sets every field through `object.__setattr__` (to get past the `__setattr__`
that makes it frozen), which costs about five times a plain attribute store: for the 14 fields of `Facts`,
more than the rest of deriving them. `builder(cls)` gives a constructor that fills an instance of a private,
unfrozen twin of `cls` (the same slots, in the same order, so the same memory layout) and then makes it an
instance of `cls`. The result is indistinguishable from `cls(*values)`: same type, same equality, hash and
repr, just as frozen. Only positional arguments, every field given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def builder(cls: type[T]) -> Callable[..., T]:
    """A constructor of `cls` (a frozen dataclass with slots) that takes every field, positionally."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    names = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if tuple(names) != tuple(cls.__dict__["__slots__"]):
        raise TypeError(f"{cls.__name__}: its slots are not its fields in order")
    twin: Any = dataclasses.make_dataclass(
        f"_{cls.__name__}Builder",
        names,
        slots=True,
        eq=False,
        repr=False,
        match_args=False,
    )

    def build(*values: Any) -> T:
        made = twin(*values)
        made.__class__ = cls
        return made  # type: ignore[no-any-return]

    build.__doc__ = f"{cls.__name__}(*values), without the cost of a frozen __init__."
    return build
