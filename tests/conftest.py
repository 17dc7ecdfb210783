"""Shared fixtures for the tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit import reference

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of ``data/`` that a test may break; the loaders read it."""
    target = tmp_path / "data"
    shutil.copytree(PROJECT / "data", target)
    monkeypatch.setenv("TOOLKIT_DATA", str(target))
    for loader in (reference.coin_packages, reference.gift_catalogue,
                   reference.platform_rates, reference.creator_rewards):
        loader.cache_clear()
    yield target
    for loader in (reference.coin_packages, reference.gift_catalogue,
                   reference.platform_rates, reference.creator_rewards):
        loader.cache_clear()
