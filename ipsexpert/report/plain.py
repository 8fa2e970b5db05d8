"""The base of the report's plain data (``data``): equality, copies, JSON, the model on demand.

``Plain`` gives a class with ``__slots__`` and a ``fields`` tuple what the report's
readers use of a pydantic model: equality by fields, ``model_copy(update=...)``,
``model_dump_json`` (pydantic-core's serializer on the same values, so the same bytes)
and ``to_model()``, which validates the content into the model of the same name in
``models``. ``Frozen`` data is shared between reports and refuses to be changed.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json


class Plain:
    """Shared behaviour: equality by fields, a repr, ``model_copy`` and the JSON dict."""

    __slots__ = ()
    fields: tuple[str, ...] = ()
    model_name = ""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the models are

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.fields)
        return f"{type(self).__name__}({shown})"

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            object.__setattr__(self, name, value)

    def model_copy(self, update: dict[str, Any] | None = None, deep: bool = False):
        """A shallow copy with ``update`` applied, as ``BaseModel.model_copy`` makes."""
        if deep:
            raise NotImplementedError("plain report data copies shallowly; to_model().model_copy(deep=True) "
                                      "copies deeply")
        copy = object.__new__(type(self))
        for name in self.__slots__:
            object.__setattr__(copy, name, getattr(self, name))
        for name, value in (update or {}).items():
            if name.startswith("_") or name not in self.__slots__:
                raise AttributeError(f"{type(self).__name__} has no field {name!r}")
            object.__setattr__(copy, name, value)
        if "_json" in self.__slots__:
            object.__setattr__(copy, "_json", None)
        return copy

    def json_data(self) -> dict[str, Any]:
        """The fields as plain JSON-ready data, in the model's order (``phase`` excluded)."""
        return {name: json_value(getattr(self, name)) for name in self.fields}

    def model_dump(self, **options) -> dict[str, Any]:
        """As the model would dump itself (built for the purpose)."""
        return self.to_model().model_dump(**options)

    def model_dump_json(self, indent: int | None = None) -> str:
        """The JSON the model writes, byte for byte, without building the model."""
        return self.json_bytes(indent).decode("utf-8")

    def json_bytes(self, indent: int | None = None) -> bytes:
        """``model_dump_json`` as UTF-8 bytes, for a writer that sends them out as they are."""
        return to_json(self.json_data(), indent=indent)

    def to_model(self):
        """The pydantic model of the same content (validated, as the models always are)."""
        from . import models
        return getattr(models, self.model_name).model_validate(self.model_data())

    def model_data(self) -> dict[str, Any]:
        """The fields as the model takes them (nested data as dicts, excluded fields too)."""
        return {name: model_value(getattr(self, name)) for name in self.__slots__ if not name.startswith("_")}


class Frozen(Plain):
    """Plain data shared between reports: its attributes are set once, at construction, so its
    JSON data is made once too (each subclass has a ``_json`` slot, None until asked for)."""

    __slots__ = ()

    def json_data(self) -> dict[str, Any]:
        made = self._json
        if made is None:
            made = {name: getattr(self, name) for name in self.fields}
            object.__setattr__(self, "_json", made)
        return made

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is shared between reports and cannot be changed; "
                        "model_copy(update=...) makes a changed copy")

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"{type(self).__name__} is shared between reports and cannot be changed")


def json_value(value: Any) -> Any:
    """A field's value as JSON-ready data (plain data as dicts, models dumped)."""
    if isinstance(value, Plain):
        return value.json_data()
    if isinstance(value, list):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if hasattr(value, "model_dump"):  # a knowledge-base model (Reference)
        return value.model_dump()
    return value


def model_value(value: Any) -> Any:
    """A field's value as a model validates it (plain data as dicts)."""
    if isinstance(value, Plain):
        return value.model_data()
    if isinstance(value, list):
        return [model_value(item) for item in value]
    if isinstance(value, dict):
        return {key: model_value(item) for key, item in value.items()}
    return value


def set_fields(instance: Plain, **values: Any) -> None:
    """Set the fields of frozen data (at construction)."""
    for name, value in values.items():
        object.__setattr__(instance, name, value)
