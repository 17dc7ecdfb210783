"""Checks shared by every layer: counts given as values or columns, and declared rules.

Private to the package. :func:`check_count` and :func:`count_input` accept a count as one
``int``, a ``polars.Series`` or an expression; :func:`check_fields` checks the fields of a
parameter object against the rules it declares (:class:`Interval`, :class:`OneOf`, ...), with
one message format for every owner, field and value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Real
from typing import TypeGuard, TypeVar

import polars as pl

Column = pl.Expr | pl.Series

#: A frame that a function takes and returns in the same form: eager in, eager out; lazy in,
#: lazy out.
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def is_column(value: object) -> bool:
    """True for a polars expression or series (the 'many values' form of a function)."""
    return isinstance(value, (pl.Expr, pl.Series))


def check_count(value: object, field: str) -> int:
    """Return ``value`` as a non-negative ``int`` or raise a ``ValueError`` naming ``field``.

    Floats are refused even when whole (``3.0``): a count of coins that went through a float
    has already lost the guarantee of exactness.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{field} must be a whole number (int), got {value!r}")
    if value < 0:
        raise ValueError(f"{field} must not be negative, got {value!r}")
    return int(value)


def check_count_series(series: pl.Series, field: str) -> None:
    """Raise a ``ValueError`` naming ``field`` if a series is not of non-negative integers."""
    if not series.dtype.is_integer():
        raise ValueError(f"{field} must be an integer column, got dtype {series.dtype}")
    if series.null_count():
        raise ValueError(f"{field} has {series.null_count()} missing value(s)")
    if len(series) and series.min() < 0:  # type: ignore[operator]
        row = (series < 0).arg_max()
        assert row is not None  # a negative value exists, so there is a first one
        raise ValueError(f"{field} must not be negative, got {series[row]} at row {row}")


def to_float(value: object) -> float:
    """``float`` of a polars scalar (``Series.mean()``, ``.min()``, ``.max()``).

    polars types those as any Python value or ``None`` whatever the column's dtype; this
    narrows a number to ``float`` and raises a ``TypeError``, as ``float`` does, on anything
    else (``None``: an empty or all-null column).
    """
    if isinstance(value, (Real, Decimal)):
        return float(value)
    raise TypeError(f"expected a number, got {value!r}")


def count_input(value: object, field: str) -> int | Column:
    """Check a count given as one value, a series or an expression; return it.

    An int is checked by :func:`check_count` and a series by :func:`check_count_series`; an
    expression is checked when it is evaluated, by the frame's own types.
    """
    if isinstance(value, pl.Series):
        check_count_series(value, field)
        return value
    if isinstance(value, pl.Expr):
        return value
    return check_count(value, field)




# ---------------------------------------------------------------------------------------------
# Declared rules for configuration objects (after scikit-learn's parameter constraints).
#
# A frozen dataclass of parameters declares ``RULES: ClassVar[dict[str, Rule]]`` (field name ->
# rule) and calls ``check_fields(self)`` in ``__post_init__``; a rule between fields is checked
# with ``check_relation``. Every message has one format, naming the owner, the field, the rule
# and the value:
#
#     The 'join_probability' field of World must be a number in [0, 1]. Got 1.5 instead.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A constraint on one value: ``accepts(value)`` and the words of :meth:`describe`."""

    def accepts(self, value: object) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


def _is_number(value: object, whole: bool) -> TypeGuard[Integral | float | Fraction | Decimal]:
    if isinstance(value, bool):
        return False
    if whole:
        return isinstance(value, Integral)
    return isinstance(value, (Integral, float, Fraction, Decimal))


@dataclass(frozen=True)
class Interval(Rule):
    """A number (``whole=True``: an integer) between ``low`` and ``high``.

    ``closed`` says which ends belong to the interval: ``"both"``, ``"left"``, ``"right"`` or
    ``"neither"``; ``None`` for an end means unbounded. NaN is never accepted.

    >>> Interval(0, 1).accepts(0.5), Interval(0, 1, closed="right").accepts(0)
    (True, False)
    >>> Interval(1, None, whole=True).describe()
    'a whole number >= 1'
    """

    low: float | None = None
    high: float | None = None
    closed: str = "both"
    whole: bool = False

    def accepts(self, value: object) -> bool:
        if not _is_number(value, self.whole):
            return False
        number = float(value)
        if math.isnan(number):
            return False
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and not (number >= self.low if left else number > self.low):
            return False
        return self.high is None or (number <= self.high if right else number < self.high)

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        if self.high == math.inf and self.closed in ("left", "neither"):  # finite, unbounded
            return Interval(self.low, None, "left" if self.closed == "left" else "neither",
                            self.whole).describe().replace("a number", "a finite number", 1)
        if self.low is not None and self.high is not None:
            opening = "[" if self.closed in ("both", "left") else "("
            closing = "]" if self.closed in ("both", "right") else ")"
            return f"{kind} in {opening}{self.low:g}, {self.high:g}{closing}"
        if self.low is not None:
            return f"{kind} {'>=' if self.closed in ('both', 'left') else '>'} {self.low:g}"
        if self.high is not None:
            return f"{kind} {'<=' if self.closed in ('both', 'right') else '<'} {self.high:g}"
        return f"{kind}, finite" if not self.whole else kind


@dataclass(frozen=True)
class Finite(Rule):
    """Any finite number (negative too)."""

    def accepts(self, value: object) -> bool:
        return _is_number(value, False) and math.isfinite(float(value))

    def describe(self) -> str:
        return "a finite number"


@dataclass(frozen=True)
class Number(Rule):
    """Any real number, NaN and infinities included (an estimate that may be undefined)."""

    def accepts(self, value: object) -> bool:
        return isinstance(value, Real) and not isinstance(value, bool)

    def describe(self) -> str:
        return "a real number (NaN allowed)"


@dataclass(frozen=True)
class OneOf(Rule):
    """One of a fixed set of values."""

    options: tuple[object, ...]

    def accepts(self, value: object) -> bool:
        return any(value == option and type(value) is type(option) for option in self.options)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)


@dataclass(frozen=True)
class Text(Rule):
    """A string, non-empty unless ``empty=True``."""

    empty: bool = False

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and (self.empty or bool(value))

    def describe(self) -> str:
        return "a string" if self.empty else "a non-empty string"


@dataclass(frozen=True)
class Divides(Rule):
    """A positive whole number that divides ``total`` (say, seconds into a minute)."""

    total: int

    def accepts(self, value: object) -> bool:
        return _is_number(value, True) and 0 < int(value) <= self.total \
            and self.total % int(value) == 0

    def describe(self) -> str:
        return f"a whole number that divides {self.total}"


@dataclass(frozen=True)
class Flag(Rule):
    """``True`` or ``False``."""

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)

    def describe(self) -> str:
        return "True or False"


def rule_message(owner: str, field_name: str, rule: str, value: object) -> str:
    """The one message format: ``The 'x' field of Owner must be <rule>. Got <value> instead.``"""
    shown = repr(value)
    if "\n" in shown or len(shown) > 80:  # a frame or a long text: its kind, then its start
        shown = f"{type(value).__name__} {shown.splitlines()[0] if shown else ''}".strip()
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"The {field_name!r} field of {owner} must be {rule}. Got {shown} instead."


def check_fields(obj: object, rules: Mapping[str, Rule] | None = None) -> None:
    """Check every field named in ``rules`` (default: the class's ``RULES``) of ``obj``.

    Raises
    ------
    ValueError
        The first field that breaks its rule, in the format of :func:`rule_message`.
    """
    declared = type(obj).RULES if rules is None else rules  # type: ignore[attr-defined]
    owner = type(obj).__name__
    for name, rule in declared.items():
        value = getattr(obj, name)
        if not rule.accepts(value):
            raise ValueError(rule_message(owner, name, rule.describe(), value))


def check_relation(obj: object, holds: bool, field_name: str, rule: str) -> None:
    """Raise the one-format ``ValueError`` when a rule between fields does not hold.

    ``rule`` completes "must be ...", e.g. ``"at most window_seconds (60)"``.
    """
    if not holds:
        raise ValueError(rule_message(type(obj).__name__, field_name, rule,
                                      getattr(obj, field_name)))
