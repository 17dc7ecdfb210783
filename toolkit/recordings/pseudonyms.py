"""Pseudonyms for the people in a recording: salted HMAC, with the salt kept apart.

A viewer's id becomes ``u`` + 12 hex digits of HMAC-SHA-256(salt, id) (rooms ``s...``,
creators ``c...``). Without the salt nobody can tell which id a pseudonym stands for, not even
by trying every id they know; with it the same id always gets the same pseudonym, so
recordings of one creator link up. The salt is a random secret of 16 bytes kept in a file
*beside* the tables (``toolkit ingest`` refuses to put it inside them).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

__all__ = ["read_salt", "pseudonyms", "SALT_BYTES"]

SALT_BYTES = 16


def read_salt(path: str | Path, create: bool = True) -> bytes:
    """The secret salt in ``path`` (hex text), made with :mod:`secrets` when missing."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"salt file {path} is a folder")
    if path.exists() and not path.is_file():  # never write to (or wait on) a device or FIFO
        raise ValueError(f"salt file {path} is not a regular file (a device or FIFO?)")
    if path.is_file():
        try:
            salt = bytes.fromhex(path.read_bytes().decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            raise ValueError(f"salt file {path}: expected hexadecimal text "
                             "(as toolkit ingest writes it)") from None
        if len(salt) < SALT_BYTES:
            raise ValueError(f"salt file {path}: {len(salt)} bytes, at least 16 are needed "
                             "(a short salt lets anyone recompute the pseudonyms)")
        return salt
    if not create:
        raise FileNotFoundError(f"{path}: no salt file")
    salt = secrets.token_bytes(SALT_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    # created private (never readable by others, not even for a moment) and never over a
    # file that appeared meanwhile
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(salt.hex() + "\n")
    return salt


def pseudonyms(values: pl.Series, salt: bytes, prefix: str) -> pl.Series:
    """Each distinct value replaced by ``prefix`` + 12 hex digits of HMAC-SHA-256(salt, value)."""
    distinct = values.drop_nulls().unique().to_list()
    mapping = {v: prefix + hmac.new(salt, v.encode(), hashlib.sha256).hexdigest()[:12]
               for v in distinct}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)
