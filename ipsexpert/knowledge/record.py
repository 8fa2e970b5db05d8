"""Immutable records with named fields: the knowledge base as the engine and the reports read it.

The knowledge files are checked by pydantic models (``validation``), which cost tens of
milliseconds to define, and a start of ``ipsexpert evaluate`` would pay for them before
its first answer even when nothing needs checking (the cache holds a snapshot of the
checked knowledge base, see ``snapshot``). So what a loaded knowledge base holds is these
plain records, made from the validated models or from the snapshot: fields in
``__slots__``, set once, compared and shown by field, and copied with ``replace``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    """Fields named by ``__slots__`` (each class lists its own), each set once at construction.

    ``defaults`` gives the value of a field a caller leaves out; a field without one must
    be given. A list or dict default is copied, so no two records share one.
    """

    __slots__ = ()
    defaults: ClassVar[dict[str, Any]] = {}
    field_names: ClassVar[tuple[str, ...]] = ()
    """Every field, a base class's first: the slots along the class's ancestry."""

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        cls.field_names = tuple(name for klass in reversed(cls.__mro__) for name in klass.__dict__.get("__slots__", ()))

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.field_names)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        for name in self.field_names:
            if name in values:
                value = values[name]
            elif name in self.defaults:
                value = self.defaults[name]
                value = value.copy() if isinstance(value, (list, dict)) else value
            else:
                raise TypeError(f"{type(self).__name__} needs a value for {name}")
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is part of a loaded knowledge base and cannot be changed; "
                        "replace(...) makes a changed copy")

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"{type(self).__name__} is part of a loaded knowledge base and cannot be changed")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.field_names)

    def __hash__(self) -> int:
        return hash((type(self), *(getattr(self, name) for name in self.field_names)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.field_names)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self):
        """Copied and pickled through the constructor (slots cannot be restored by setting them)."""
        return _rebuilt, (type(self), self.fields())

    def fields(self) -> dict[str, Any]:
        """Every field and its value, in declaration order."""
        return {name: getattr(self, name) for name in self.field_names}

    def replace(self, **changes: Any):
        """A copy with ``changes`` applied."""
        return type(self)(**{**self.fields(), **changes})


def _rebuilt(cls: type[Record], fields: dict[str, Any]) -> Record:
    return cls(**fields)
