"""Small shared helpers: checking counts and exact money arithmetic.

Private to the package. Money is carried as integers of micro-dollars (1e-6 USD) inside
formulas and handed to readers as ``decimal.Decimal`` (one value) or ``pl.Decimal`` columns
(many values). A price that does not divide evenly (0.99 dollars for 70 coins) is rounded
once, half up, to the micro-dollar, at the end of a calculation: never summed as floats.
"""

from __future__ import annotations

from numbers import Integral

import polars as pl

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


