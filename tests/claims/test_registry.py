"""The claims registry, the claim tests on simulated worlds, and the claims command."""

from __future__ import annotations

import json
import re

import numpy as np
import polars as pl
import pytest

from toolkit import _paths, claims
from toolkit._paths import notebook_paths
from toolkit.claims import diagnosis, diagnosis_runs, moments, signals
from toolkit.claims import verdicts as verdicts_module
from toolkit.claims.evidence import VERDICTS, Evidence, verdict_from_test
from toolkit.cli import main
from toolkit.events import Dataset
from toolkit.events.reading import example_session
from toolkit.simulation import worlds
from toolkit.simulation.engine import simulate
from toolkit.simulation.store import write_simulation


@pytest.fixture(scope="module")
def baseline() -> Dataset:
    return simulate(worlds.world("baseline"), 150,
                                              np.random.default_rng(41))


def test_every_claim_of_the_list_is_registered_once() -> None:
    ids = [c.id for c in claims.CLAIMS]
    assert ids[:26] == [f"C{i}" for i in range(1, 27)]
    assert len(set(ids)) == len(ids)


def test_each_entry_has_a_test_or_a_reason_and_real_worlds_and_notebooks() -> None:
    notebooks = {p.stem for p in notebook_paths()}
    for entry in claims.CLAIMS:
        assert (entry.test is None) == bool(entry.untested), entry.id
        if entry.test:
            assert callable(entry.function()), entry.id
        for name in (*entry.holds_in, *entry.fails_in, *entry.opposite_in):
            simulated, _ = diagnosis_runs.simulated_world(name)
            assert worlds.world(simulated).name == simulated, (entry.id, name)
        assert entry.notebook in notebooks, (entry.id, entry.notebook)
        if entry.test and entry.fails_in:
            assert entry.estimand, entry.id  # a diagnosed test says what it estimates


def test_a_claim_needs_a_test_or_a_reason() -> None:
    with pytest.raises(ValueError, match="has a test"):
        claims.Claim("C99", "x", "causal", "s", "m", None)
    with pytest.raises(ValueError, match="kind"):
        claims.Claim("C99", "x", "hunch", "s", "m", "signals:test_c13")


def test_evidence_refuses_unknown_verdicts_and_bad_p_values() -> None:
    with pytest.raises(ValueError, match="verdict"):
        Evidence("C1", "m", 0, 0, 0, None, 1, "probably", "")
    with pytest.raises(ValueError, match="p_value"):
        Evidence("C1", "m", 0, 0, 0, 1.5, 1, "supported", "")


def test_verdict_words_follow_the_sign_and_the_level() -> None:
    assert verdict_from_test(0.3, 0.01) == "supported"
    assert verdict_from_test(-0.3, 0.01) == "contradicted"
    assert verdict_from_test(0.3, 0.2) == "not supported"
    assert verdict_from_test(-0.3, 0.01, direction=-1) == "supported"


def test_run_claims_gives_a_verdict_for_every_claim(baseline: Dataset) -> None:
    table = claims.run_claims(baseline, np.random.default_rng(1))
    assert table["claim"].to_list() == [c.id for c in claims.CLAIMS]
    assert set(table["verdict"]) <= set(VERDICTS)
    rows = {r["claim"]: r for r in table.iter_rows(named=True)}
    for identity in ("C1", "C6", "C10", "C19"):
        assert rows[identity]["verdict"] == "holds by the rules"
    for untested in ("C23", "C24", "C25", "C26"):
        assert rows[untested]["verdict"] == "skipped"
        assert rows[untested]["note"].startswith("not testable")
    # C9 has a test, which needs the host's replies: the baseline has none
    assert rows["C9"]["verdict"] == "skipped" and "replies" in rows["C9"]["note"]
    tested = table.filter(pl.col("p_adjusted").is_not_null())
    assert (tested["p_adjusted"] >= tested["p_value"]).all()  # BH never lowers a p-value


def test_recordings_skip_what_only_the_platform_knows(baseline: Dataset) -> None:
    recorded = Dataset(events=baseline.events, sessions=baseline.sessions, source="recorded")
    table = claims.run_claims(recorded, np.random.default_rng(1), ["C17", "C13", "C18"])
    verdicts = dict(zip(table["claim"], table["verdict"], strict=True))
    assert verdicts["C17"] == "skipped"
    assert verdicts["C13"] != "skipped"  # observable events are enough
    assert not recorded.has("platform")
    notes = dict(zip(table["claim"], table["note"], strict=True))
    # the verdict says whether its diagnosis went through the recording pipeline
    assert "recording pipeline" in notes["C13"] and "passive_hearts@recorded" in notes["C13"]
    assert "not through the recording pipeline" in verdicts_module._recording_note(
        diagnosis.stored_diagnosis(), "C17")


def test_the_hearts_test_tells_the_worlds_apart() -> None:
    rng = np.random.default_rng(42)
    loud = simulate(worlds.world("hearts_feed_visibility"), 150, rng)
    quiet = simulate(worlds.world("passive_hearts"), 150,
                                               np.random.default_rng(42))
    assert signals.test_c13(loud, rng).verdict == "supported"
    assert signals.test_c13(quiet, rng).verdict == "not supported"
    assert signals.test_c7(loud, rng).verdict == "supported"


def test_moments_tests_need_their_signals(baseline: Dataset) -> None:
    rng = np.random.default_rng(43)
    ignored = simulate(worlds.world("cta_ignored"), 120, rng)
    assert moments.test_c17(ignored, rng).verdict == "not supported"
    assert moments.test_c17(baseline, rng).verdict == "supported"
    calm = simulate(worlds.world("no_strong_moments"), 120, rng)
    assert moments.test_c16(calm, rng).verdict == "not supported"
    assert moments.test_c16(baseline, rng).verdict == "supported"


def test_claims_command_prints_json_for_a_dataset_folder(tmp_path, capsys) -> None:
    write_simulation(tmp_path / "data", worlds.world("baseline"), 40, seed=5)
    assert main(["claims", "--data", str(tmp_path / "data"), "--json",
                 "--claims", "C1,C13,C17"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == "simulated"
    assert [r["claim"] for r in result["claims"]] == ["C1", "C13", "C17"]
    assert main(["claims", "--data", str(tmp_path / "data"), "--claims", "C1"]) == 0
    assert re.search(r"C1\s+holds by the rules", capsys.readouterr().out)


def test_claims_command_names_a_folder_without_events(tmp_path, capsys) -> None:
    assert main(["claims", "--data", str(tmp_path)]) == 2
    assert "no events.parquet" in capsys.readouterr().err


def test_the_claims_page_is_generated_from_the_registry_and_the_stored_verdicts() -> None:
    from toolkit import claims

    store = _paths.data_dir() / "calibration" / "verdicts_by_world.csv"
    expected = claims.claims_markdown(pl.read_csv(store))
    page = _paths.data_dir().parent / "docs" / "claims.md"
    assert page.read_text() == expected, "run `toolkit claims-page` to refresh docs/claims.md"


def test_the_verdict_summary_has_a_row_per_claim() -> None:
    from toolkit import claims

    summary = claims.verdict_summary()
    assert summary["claim"].to_list() == [c.id for c in claims.CLAIMS]
    assert summary["bundled"].null_count() == 0


def test_the_adjustment_keeps_the_direction_each_test_chose(monkeypatch, baseline) -> None:
    # a ratio below 1 that is significant is "contradicted" by its test; the registry must
    # not turn it into "supported" because the number is positive
    def fake(data, rng):
        return Evidence("R1", "rate ratio", 0.8, 0.7, 0.9, 0.001, 100, "contradicted", "")

    monkeypatch.setattr(claims.Claim, "function", lambda self: fake)
    passed = pl.DataFrame({"claim": ["R1"], "world": ["herding"], "role": ["holds"],
                           "size": [100], "unit": ["sessions"], "datasets": [500],
                           "supported": [0.9], "contradicted": [0.0], "coverage": [None],
                           "status": ["ok"]})
    table = claims.run_claims(baseline, np.random.default_rng(0), ["R1"], diagnosis=passed)
    assert table["verdict"].to_list() == ["contradicted"]


def test_a_folder_whose_events_lack_a_column_is_refused_by_name(tmp_path, capsys) -> None:
    events = example_session()
    events.drop("coins").write_parquet(tmp_path / "events.parquet")
    assert main(["claims", "--data", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "events.parquet" in error and "'coins'" in error
    events.with_columns(pl.col("ts").cast(pl.String)).write_parquet(tmp_path / "events.parquet")
    with pytest.raises(ValueError, match="'ts' is String"):
        Dataset.from_folder(tmp_path)


def test_shared_tables_are_computed_once_per_dataset(baseline: Dataset) -> None:
    calls = []
    data = Dataset(events=baseline.events, sessions=baseline.sessions)
    first = data.derived("panel", lambda: calls.append(1) or signals.minute_panel(data.events))
    again = data.derived("panel", lambda: calls.append(1) or None)
    assert again is first and calls == [1]
    signals.test_c13(data, np.random.default_rng(0))  # reads its own cached panel
    assert "minute_panel" in data._derived
