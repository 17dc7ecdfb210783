"""The reference tables load with their declared schemas and reject bad values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from toolkit import _paths
from toolkit.money import reference


@pytest.mark.parametrize(
    ("loader", "schema", "rows"),
    [
        (reference.coin_packages, reference.COIN_PACKAGES_SCHEMA, 15),
        (reference.gift_catalogue, reference.GIFT_CATALOGUE_SCHEMA, 116),
        (reference.platform_rates, reference.PLATFORM_RATES_SCHEMA, 7),
        (reference.creator_rewards, reference.CREATOR_REWARDS_SCHEMA, 3),
    ],
)
def test_tables_have_declared_schema(loader, schema, rows) -> None:
    table = loader()
    assert dict(table.schema) == schema
    assert table.height == rows
    required = table.drop("note", strict=False)
    assert required.null_count().select(pl.sum_horizontal(pl.all())).item() == 0


def test_known_values_from_the_sources() -> None:
    packages = reference.coin_packages()
    first = packages.filter(channel="in_app", coins=70)
    assert first["price_usd"].item() == Decimal("0.99")
    web = packages.filter(channel="web")
    assert web.rows() == [("web", 70, Decimal("0.740000"), web["source"].item())]
    gifts = reference.gift_catalogue()
    assert gifts.filter(name="Lion")["coins"].item() == 29_999
    assert gifts.filter(name="TikTok Universe")["coins"].item() == 44_999
    assert gifts.filter(name="Rose")["streakable"].item() is True
    assert gifts.filter(name="Money Gun")["streakable"].item() is False
    rates = dict(reference.platform_rates().select("parameter", "central").iter_rows())
    assert rates["usd_per_diamond"] == Decimal("0.005")
    assert rates["cashout_daily_cap_usd"] == Decimal("1000")


def test_every_value_has_a_source() -> None:
    for table in (reference.coin_packages(), reference.platform_rates(),
                  reference.creator_rewards()):
        assert table["source"].str.len_chars().min() > 5


def test_a_malformed_value_names_file_line_and_field(data_copy: Path) -> None:
    path = data_copy / "reference" / "coin_packages.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace("9.99", "nine ninety-nine")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"coin_packages.csv, line 4, field 'price_usd'"):
        reference.coin_packages()


def test_a_negative_price_is_refused(data_copy: Path) -> None:
    path = data_copy / "reference" / "gift_catalogue.csv"
    text = path.read_text().replace("5655,Rose,1,", "5655,Rose,-1,")
    path.write_text(text)
    with pytest.raises(ValueError, match=r"line 4, field 'coins': -1 must be positive"):
        reference.gift_catalogue()


def test_duplicate_gift_ids_are_refused(data_copy: Path) -> None:
    path = data_copy / "reference" / "gift_catalogue.csv"
    path.write_text(path.read_text() + "5655,Rose again,1,1,true\n")
    with pytest.raises(ValueError, match="gift_id.*not unique"):
        reference.gift_catalogue()


def test_central_value_outside_its_range_is_refused(data_copy: Path) -> None:
    path = data_copy / "reference" / "platform_rates.csv"
    path.write_text(path.read_text().replace("usd_per_diamond,0.005,", "usd_per_diamond,0.001,"))
    with pytest.raises(ValueError, match="outside"):
        reference.platform_rates()


def test_missing_data_folder_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TOOLKIT_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="TOOLKIT_DATA"):
        _paths.data_dir()
