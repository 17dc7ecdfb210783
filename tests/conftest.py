"""Shared fixtures for the tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from toolkit.money import reference

PROJECT = Path(__file__).resolve().parent.parent

# No time limit per example (a busy CI machine is slow, not wrong). On CI the examples are
# derandomized, so a run is reproducible; locally each run explores new examples.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


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
