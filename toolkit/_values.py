"""Small shared helpers: checking counts and exact money arithmetic.

Private to the package. Money is carried as integers of micro-dollars (1e-6 USD) inside
formulas and handed to readers as ``decimal.Decimal`` (one value) or ``pl.Decimal`` columns
(many values). A price that does not divide evenly (0.99 dollars for 70 coins) is rounded
once, half up, to the micro-dollar, at the end of a calculation: never summed as floats.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from numbers import Integral

import polars as pl

MICROS_PER_USD = 1_000_000
USD_DTYPE = pl.Decimal(precision=38, scale=6)

Column = pl.Expr | pl.Series


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
        row = int((series < 0).arg_max())
        raise ValueError(f"{field} must not be negative, got {series[row]} at row {row}")


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


def dollars(count: object, field: str, micros_of: Callable[[object], object]) -> object:
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
