"""Exact money arithmetic: integers of micro-dollars inside formulas, ``Decimal`` outside.

Private to the money layer. Money is carried as integers of micro-dollars (1e-6 USD) inside
formulas and handed to readers as ``decimal.Decimal`` (one value) or ``pl.Decimal`` columns
(many values). A price that does not divide evenly (0.99 dollars for 70 coins) is rounded
once, half up, to the micro-dollar, at the end of a calculation: never summed as floats.
:func:`dollars` runs one integer formula on an ``int``, a series or an expression alike.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Protocol, overload

import polars as pl

from toolkit._checks import Column, count_input

__all__ = [
    "MICROS_PER_USD", "USD_DTYPE", "to_decimal", "micros", "round_half_up", "usd",
    "usd_column", "dollars",
]

MICROS_PER_USD = 1_000_000


USD_DTYPE = pl.Decimal(precision=38, scale=6)


def to_decimal(value: object, field: str) -> Decimal:
    """Convert a user-given amount of money to an exact ``Decimal``.

    Strings, ints, Decimals and Fractions are exact; a float is read through its shortest
    decimal repr (``0.005`` becomes ``Decimal("0.005")``), which is what the user typed.
    """
    if isinstance(value, bool):
        raise ValueError(f"{field} must be a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, (int, float, str)):
        try:
            return Decimal(str(value))
        except Exception as error:  # decimal.InvalidOperation
            raise ValueError(f"{field} must be a number, got {value!r}") from error
    raise ValueError(f"{field} must be a number, got {value!r}")


def micros(amount: Decimal | Fraction, field: str = "amount") -> int:
    """Exact micro-dollars of an amount that must be a whole number of micro-dollars."""
    scaled = Fraction(amount) * MICROS_PER_USD
    if scaled.denominator != 1:
        raise ValueError(f"{field} must be a whole number of micro-dollars, got {amount}")
    return int(scaled)


def round_half_up(numerator: int, denominator: int) -> int:
    """Round ``numerator / denominator`` (both >= 0) half up to an integer, exactly."""
    return (2 * numerator + denominator) // (2 * denominator)


def usd(micro: int) -> Decimal:
    """Micro-dollars to an exact ``Decimal`` of US dollars, with six decimal places."""
    return (Decimal(micro) / MICROS_PER_USD).quantize(Decimal("0.000001"))


def usd_column(micro: pl.Expr) -> pl.Expr:
    """Integer micro-dollars to an exact ``pl.Decimal`` column of US dollars."""
    return micro.cast(USD_DTYPE) / MICROS_PER_USD


class MicroFormula(Protocol):
    """An integer formula of micro-dollars that serves an ``int`` and an expression alike."""

    @overload
    def __call__(self, value: int, /) -> int: ...
    @overload
    def __call__(self, value: pl.Expr, /) -> pl.Expr: ...


def dollars(count: object, field: str, micros_of: MicroFormula) -> Decimal | Column:
    """Dollars from a count through an exact integer formula giving micro-dollars.

    ``micros_of`` must use only integer arithmetic (``*``, ``+``, ``//``), so that the same
    formula serves an ``int`` (giving a ``Decimal``), a series and an expression (giving
    ``pl.Decimal`` columns).
    """
    checked = count_input(count, field)
    if isinstance(checked, pl.Series):
        return pl.select(usd_column(micros_of(pl.lit(checked)))).to_series().rename("usd")
    if isinstance(checked, pl.Expr):
        return usd_column(micros_of(checked))
    return usd(micros_of(checked))


