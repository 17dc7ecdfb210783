"""The diagnosis of the claim tests, and the verdict rules that read it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from toolkit import claims
from toolkit.claims import diagnosis, diagnosis_runs, verdicts
from toolkit.cli import main
from toolkit.events import Dataset
from toolkit.recordings.delivery import as_recorded
from toolkit.simulation import worlds
from toolkit.simulation.engine import simulate

TINY = diagnosis.Plan(holds=(1, 2, 0, 0), null=(0, 2, 0, 0))


@pytest.fixture
def small_jobs(monkeypatch):
    """Jobs of 200 sessions and populations of 60 (TINY needs no more: sizes 25 and 100)."""
    monkeypatch.setattr(diagnosis_runs, "SESSIONS_PER_JOB", 200)
    monkeypatch.setattr(diagnosis_runs, "POPULATION_SESSIONS", 60)


def _runs(claim: str, world: str, size: int, verdicts_: list[str],
          estimates: list[float] | None = None) -> pl.DataFrame:
    n = len(verdicts_)
    estimates = estimates or [0.0] * n
    return pl.DataFrame({
        "claim": [claim] * n, "world": [world] * n, "size": [size] * n,
        "replicate": list(range(n)), "estimate": estimates,
        "low": [e - 0.1 for e in estimates], "high": [e + 0.1 for e in estimates],
        "p_value": [0.5] * n, "verdict": verdicts_, "truth": [math.nan] * n,
    }, schema=diagnosis_runs.ROW_SCHEMA)


def test_every_tested_claim_with_worlds_has_a_matrix_of_at_least_three_null_worlds() -> None:
    matrix = diagnosis.design_matrix()
    for entry in claims.CLAIMS:
        if entry.test is None or not entry.fails_in:
            continue
        rows = matrix.filter(pl.col("claim") == entry.id)
        assert rows.filter(pl.col("role") == "holds").height >= 1, entry.id
        wrong = rows.filter(pl.col("role") != "holds").height
        assert wrong >= (2 if entry.id == "C14" else 3), entry.id


def test_the_minimum_null_world_matrix_of_the_standard_is_in_the_registry() -> None:
    fails = {c.id: set(c.fails_in) | set(c.opposite_in) for c in claims.CLAIMS}
    for claim_id in ("C13", "C11", "C7"):
        assert {"passive_hearts+tap_speed_batches", "passive_hearts+strong_long_moments",
                "passive_hearts+herding", "passive_hearts+crowding_out",
                "passive_hearts+bought_hearts", "passive_hearts+unequal_tapping"} <= fails[claim_id]
    assert {"hearts_only", "inert_hearts_comments"} <= fails["C14"]
    assert {"hearts_only", "equal_weights", "hearts_feed_visibility"} <= fails["C2"]
    assert {"no_gift_feedback+gift_battles", "no_gift_feedback+gifter_groups",
            "no_gift_feedback+strong_long_moments", "crowding_out"} <= fails["R1"]
    assert {"cta_ignored+cta_when_lively", "cta_ignored+cta_when_dying"} <= fails["C17"]
    assert {"bursts_equal"} <= fails["C15"]  # the null made truly null: see test_mechanisms


def test_jobs_are_fixed_by_the_plan_and_their_seeds_do_not_depend_on_other_worlds() -> None:
    first = diagnosis_runs.jobs(TINY, ["C17"], seed=3)
    assert first == diagnosis_runs.jobs(TINY, ["C17"], seed=3)
    assert len({j.key for j in first}) == len(first)
    with_more = diagnosis_runs.jobs(TINY, ["C17", "R1"], seed=3)
    shared = {j.key: j.seed for j in with_more}
    for job in first:  # the same world and size keep their seed when claims are added
        assert shared[job.key] == job.seed


def test_every_size_is_cut_from_one_pool_per_world_without_gaps_or_overlaps() -> None:
    plan = diagnosis.Plan(holds=(8, 50, 12, 3), null=(0, 30, 0, 0))  # 3 blocks; 2, the last
    assert diagnosis_runs.SESSIONS_PER_JOB == 2000                     # only half needed
    every = diagnosis_runs.jobs(plan, ["C17"], seed=3)
    for name in {j.world for j in every}:
        own = sorted((j for j in every if j.world == name), key=lambda j: j.first_unit)
        starts = [j.first_unit for j in own]  # the pool's blocks follow each other
        assert starts == [sum(j.units for j in own[:i]) for i in range(len(own))]
        holds = name == "baseline"
        for size, count in zip(diagnosis.SIZES, plan.holds if holds else plan.null,
                               strict=True):
            cut = [(t.first, t.count, j) for j in own for t in j.tasks if t.size == size]
            assert sum(c for _, c, _ in cut) == count, (name, size)
            assert [f for f, _, _ in cut] == [sum(c for _, c, _ in cut[:i])
                                              for i in range(len(cut))]
            for first, n, job in cut:  # each dataset lies inside its job's block
                assert job.first_unit <= first * size
                assert (first + n) * size <= job.first_unit + job.units
        need = max(s * c for s, c in zip(diagnosis.SIZES, plan.holds if holds else plan.null,
                                         strict=True))
        assert all(j.units == diagnosis_runs.SESSIONS_PER_JOB for j in own)
        assert len(own) == -(-need // diagnosis_runs.SESSIONS_PER_JOB)  # whole blocks


def test_datasets_of_two_sizes_are_cut_from_the_same_sessions_in_order() -> None:
    small = diagnosis_runs.Task(5, 2, 2, ("C17",))  # datasets 2 and 3 of five sessions
    large = diagnosis_runs.Task(10, 1, 1, ("C17",))  # dataset 1 of ten: the same sessions
    job = diagnosis_runs.Job("baseline", False, 10, 10, (small, large), (1, 4))
    data = diagnosis_runs._simulate(job)
    pieces = diagnosis_runs._blocks(data, job, small)
    whole = diagnosis_runs._blocks(data, job, large)[0]
    ids = list(data.table("sessions")["session_id"])
    assert [list(p.table("sessions")["session_id"]) for p in pieces] == [ids[:5], ids[5:]]
    assert list(whole.table("sessions")["session_id"]) == ids


def test_a_plan_refuses_counts_that_do_not_match_the_sizes() -> None:
    with pytest.raises(ValueError, match="'holds' field of Plan"):
        diagnosis.Plan(holds=(1, 2), null=(0, 0, 0, 0))
    assert diagnosis.Plan().scaled(0.01).null == (0, 5, 0, 0)
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="scale of a Plan must be a finite number > 0"):
            diagnosis.Plan().scaled(bad)


def test_the_diagnose_command_refuses_claims_it_cannot_diagnose(tmp_path, capsys) -> None:
    for ids in ("C99", "C1", "C13,C5"):
        assert main(["diagnose", "--claims", ids, "--out", str(tmp_path)]) == 2
        assert "have no diagnosis" in capsys.readouterr().err
    assert main(["diagnose", "--scale", "-1", "--out", str(tmp_path)]) == 2
    assert "scale of a Plan" in capsys.readouterr().err
    assert not (tmp_path / "diagnosis.csv").exists()


def test_a_job_splits_into_independent_datasets_of_its_size() -> None:
    task = diagnosis_runs.Task(10, 0, 3, ("C17",))
    job = diagnosis_runs.Job("baseline", False, 0, 30, (task,), (1, 2))
    data = diagnosis_runs._simulate(job)
    blocks = diagnosis_runs._blocks(data, job, task)
    assert [b.table("sessions").height for b in blocks] == [10, 10, 10]
    ids = [set(b.table("sessions")["session_id"]) for b in blocks]
    assert not ids[0] & ids[1] and set().union(*ids) == set(data.table("sessions")["session_id"])
    for block, own in zip(blocks, ids, strict=True):
        for name in ("events", "platform", "viewers"):
            assert set(block.table(name)["session_id"]) <= own, name
    assert sum(b.table("events").height for b in blocks) == data.table("events").height


def test_session_datasets_are_slices_equal_to_the_join_that_cuts_any_order(monkeypatch) -> None:
    """The fast cut (one slice of each table per dataset) gives the tables the general cut
    (a join on the block of each session) gives, row for row and in the same order; a table
    whose sessions are out of order falls back to the join."""
    task = diagnosis_runs.Task(10, 1, 2, ("C17",))  # datasets 1 and 2: sessions 10 .. 29
    job = diagnosis_runs.Job("baseline", False, 0, 30, (task,), (1, 3))
    data = diagnosis_runs._simulate(job)
    fast = diagnosis_runs._slices(data, job, task)
    assert fast is not None
    monkeypatch.setattr(diagnosis_runs, "_slices", lambda *args: None)
    joined = diagnosis_runs._blocks(data, job, task)
    for a, b in zip(fast, joined, strict=True):
        for name in ("events", "platform", "viewers", "sessions"):
            assert a.table(name).equals(b.table(name)), name
    shuffled = Dataset.from_tables(**{n: data.table(n) for n in ("platform", "viewers",
                                                                 "sessions")},
                                   events=data.table("events").reverse(), source="simulated")
    assert diagnosis_runs._slices(shuffled, job, task) is None


def test_creator_jobs_split_by_creator_with_their_videos() -> None:
    task = diagnosis_runs.Task(4, 0, 2, ("C4",))
    job = diagnosis_runs.Job("baseline", True, 0, 8, (task,), (1, 3))
    blocks = diagnosis_runs._blocks(diagnosis_runs._simulate(job), job, task)
    for block in blocks:
        creators = set(block.table("creators")["creator_id"])
        assert len(creators) == 4
        assert set(block.table("videos")["creator_id"]) == creators
        assert set(block.table("sessions")["creator_id"]) <= creators


def test_the_diagnosis_is_the_same_with_two_workers_and_resumes(tmp_path: Path, monkeypatch,
                                                                 small_jobs) -> None:
    one = diagnosis_runs.diagnose(tmp_path / "a", TINY, ["C17"], seed=5, workers=1)
    two = diagnosis_runs.diagnose(tmp_path / "b", TINY, ["C17"], seed=5, workers=2)
    assert one.equals(two)
    assert set(one["world"]) == {"baseline", *claims.claim("C17").fails_in}

    def refuse(job):  # every job is stored: nothing may be simulated again
        raise AssertionError("resumed run simulated a stored job")

    monkeypatch.setattr(diagnosis_runs, "_simulate", refuse)
    assert diagnosis_runs.diagnose(tmp_path / "a", TINY, ["C17"], seed=5).equals(one)


def test_association_claims_are_measured_against_their_population_value(
        tmp_path: Path, small_jobs) -> None:
    listed = {(p.world, c) for p in diagnosis_runs.populations() for c in p.claims}
    assert ("baseline", "C20") in listed and ("bought_hearts", "C18") in listed
    assert ("no_strong_moments+bought_hearts", "C22") in listed  # its opposite world
    assert not any(w == "hearts_follow_followers" for w, _ in listed)  # a null: the value 0
    simulated = [w for w in diagnosis.design_matrix(["C20"])["world"] if "@" not in w]
    runs = diagnosis_runs.diagnose(tmp_path, TINY, ["C20"], seed=5, worlds=simulated)
    population = diagnosis_runs.make_dataset("baseline", 60, (5, diagnosis_runs._world_code(
        "baseline"), 2, 0))
    value = claims.claim("C20").function()(population, np.random.default_rng([5, 0])).estimate
    held = runs.filter(pl.col("world") == "baseline")["truth"]
    assert held.to_list() == pytest.approx([value] * held.len())
    assert runs.filter(pl.col("world") != "baseline")["truth"].is_nan().all()
    table = diagnosis.summarise(runs)
    nulls = table.filter(pl.col("role") != "holds")
    assert (nulls["estimand"] == 0.0).all()  # the claim's null value where it is false


def test_a_smaller_plan_reuses_a_larger_runs_jobs_and_reads_only_its_datasets(
        tmp_path: Path, monkeypatch) -> None:
    large = diagnosis.Plan(holds=(0, 4, 0, 0), null=(0, 4, 0, 0))
    small = diagnosis.Plan(holds=(0, 2, 0, 0), null=(0, 2, 0, 0))
    monkeypatch.setattr(diagnosis_runs, "SESSIONS_PER_JOB", 400)  # one job per world
    whole = diagnosis_runs.diagnose(tmp_path, large, ["C17"], seed=5)
    assert whole.group_by("world").len()["len"].to_list() == [4] * whole["world"].n_unique()

    def refuse(job):
        raise AssertionError("the smaller plan simulated again")

    monkeypatch.setattr(diagnosis_runs, "_simulate", refuse)
    part = diagnosis_runs.diagnose(tmp_path, small, ["C17"], seed=5)
    assert part.equals(whole.filter(pl.col("replicate") < 2))
    order = diagnosis_runs.jobs(diagnosis.Plan(holds=(0, 40, 0, 0), null=(0, 10, 0, 0)),
                                ["C17"], seed=5)  # 10 blocks in baseline, 3 in a null world
    share = [j.first_unit / (4000 if j.world == "baseline" else 1000) for j in order]
    assert share == sorted(share) and max(share) > 0.5  # by the share of its world's pool
    assert [j.world for j in order[:4]] == sorted({j.world for j in order})  # first blocks


def test_an_interrupted_job_leaves_no_rows_behind(tmp_path: Path, monkeypatch,
                                                  small_jobs) -> None:
    def broken(block, rng):
        raise KeyboardInterrupt

    monkeypatch.setattr(claims.Claim, "function", lambda self: broken)
    with pytest.raises(KeyboardInterrupt):
        diagnosis_runs.diagnose(tmp_path, TINY, ["C17"], seed=5)
    assert not list((tmp_path / "runs").glob("*.parquet*"))  # only the seed stamp is there


def test_one_sided_error_rates_are_checked_against_two_and_a_half_per_cent() -> None:
    assert diagnosis.limit(500) == pytest.approx(0.025 + 2 * math.sqrt(0.025 * 0.975 / 500))
    ok = ["not supported"] * 195 + ["supported"] * 5          # 2.5 %
    bad = ["not supported"] * 188 + ["supported"] * 12        # 6 %: a two-sided 5 % would pass
    runs = pl.concat([_runs("C17", "baseline", 100, ["supported"] * 200),
                      _runs("C17", "cta_ignored", 100, ok),
                      _runs("C17", "cta_ignored+cta_when_lively", 100, bad)])
    table = diagnosis.summarise(runs)
    status = dict(zip(table["world"], table["status"], strict=True))
    assert status["cta_ignored"] == "ok" and status["baseline"] == "ok"
    assert status["cta_ignored+cta_when_lively"].startswith("fails: false 'supported' 6.0 %")
    assert diagnosis.failures(table) == {
        "C17": "in cta_ignored+cta_when_lively at 100 sessions: false 'supported' 6.0 % "
               "(limit 4.7 %, coverage 90 %)"}


def test_false_contradicted_counts_in_null_and_holding_worlds_but_not_opposite_ones() -> None:
    wrong = ["contradicted"] * 20 + ["not supported"] * 80
    runs = pl.concat([_runs("R1", "herding", 100, wrong),
                      _runs("R1", "crowding_out", 100, wrong),
                      _runs("R1", "no_gift_feedback", 100, ["not supported"] * 100,
                            [1.0] * 100)])
    status = dict(zip(*diagnosis.summarise(runs).select("world", "status"), strict=True))
    assert status["herding"].startswith("fails: false 'contradicted'")
    assert status["crowding_out"] == "ok"  # there the opposite holds: contradicted is right
    assert status["no_gift_feedback"] == "ok"


def test_coverage_bias_and_the_minimum_detectable_effect_are_measured_against_the_truth() -> None:
    rng = np.random.default_rng(0)
    estimates = list(rng.normal(0.5, 0.1, 200))  # biased: the truth in a null world is 0
    table = diagnosis.summarise(_runs("C13", "passive_hearts", 100, ["not supported"] * 200,
                                      estimates))
    row = table.row(0, named=True)
    assert row["estimand"] == 0.0 and row["bias"] == pytest.approx(0.5, abs=0.03)
    assert row["coverage"] < 0.05 and row["status"].startswith("fails: coverage")
    assert row["mde"] == pytest.approx(2.8 * 0.1, rel=0.15)
    assert row["supported_se"] == 0.0 and row["unit"] == "sessions"


def test_power_is_interpolated_on_log_size_in_the_first_holding_world() -> None:
    runs = pl.concat([_runs("C17", "baseline", 100, ["supported"] * 2 + ["not supported"] * 2),
                      _runs("C17", "baseline", 400, ["supported"] * 4)])
    table = diagnosis.summarise(runs)
    assert diagnosis.power_at(table, "C17", 100) == 0.5
    assert diagnosis.power_at(table, "C17", 200) == pytest.approx(0.75)
    assert diagnosis.power_at(table, "C17", 10_000) == 1.0
    assert math.isnan(diagnosis.power_at(table, "C1", 100))


@pytest.fixture(scope="module")
def small() -> Dataset:
    return simulate(worlds.world("cta_ignored"), 60, np.random.default_rng(7))


def test_a_test_that_fails_its_diagnosis_is_inconclusive_and_leaves_the_family(small) -> None:
    runs = pl.concat([_runs("C17", "baseline", 100, ["supported"] * 10),
                      _runs("C17", "cta_ignored", 100, ["supported"] * 10),
                      _runs("C16", "baseline", 100, ["supported"] * 10),
                      _runs("C16", "no_strong_moments", 100, ["not supported"] * 10)])
    table = verdicts.run_claims(small, np.random.default_rng(1), ["C16", "C17"],
                                diagnosis=diagnosis.summarise(runs))
    rows = {r["claim"]: r for r in table.iter_rows(named=True)}
    assert rows["C17"]["verdict"] == "inconclusive"
    assert rows["C17"]["p_adjusted"] is None
    assert "fails its diagnosis in cta_ignored at 100 sessions" in rows["C17"]["note"]
    assert rows["C16"]["verdict"] in ("supported", "not supported", "contradicted")
    assert rows["C16"]["p_adjusted"] == pytest.approx(rows["C16"]["p_value"])  # family of one
    assert rows["C16"]["power"] == 1.0 and rows["C16"]["diagnosis"] == "ok in 2 worlds"
    assert rows["C17"]["truth"] == 0.0  # simulated in a null world of C17: the truth is known


def test_the_truth_beside_an_estimate_comes_from_the_diagnosis_where_the_claim_holds() -> None:
    data = simulate(worlds.world(), 60, np.random.default_rng(8))  # world "baseline"
    runs = pl.concat([_runs("C17", "baseline", 100, ["supported"] * 4).with_columns(
        truth=pl.lit(0.75)), _runs("C17", "cta_ignored", 100, ["not supported"] * 4),
        _runs("C16", "baseline", 100, ["supported"] * 4)])  # C16: no truth known
    rows = {r["claim"]: r for r in verdicts.run_claims(
        data, np.random.default_rng(1), ["C16", "C17"],
        diagnosis=diagnosis.summarise(runs)).iter_rows(named=True)}
    assert rows["C17"]["truth"] == 0.75 and math.isnan(rows["C16"]["truth"])
    recorded = Dataset(events=data.events, source="recorded")  # no world: no truth
    row = verdicts.run_claims(recorded, np.random.default_rng(1), ["C16"],
                              diagnosis=diagnosis.summarise(runs)).row(0, named=True)
    assert math.isnan(row["truth"])


def test_an_undiagnosed_test_is_inconclusive_and_little_power_reads_as_too_little_data(
        small) -> None:
    table = verdicts.run_claims(small, np.random.default_rng(1), ["C16"],
                                diagnosis=diagnosis.summarise(_runs("C17", "baseline", 100,
                                                                    ["supported"])))
    assert table["verdict"].to_list() == ["inconclusive"]
    runs = pl.concat([_runs("C16", "baseline", 100, ["supported"] + ["not supported"] * 9),
                      _runs("C16", "no_strong_moments", 100, ["not supported"] * 10)])
    row = verdicts.run_claims(small, np.random.default_rng(1), ["C16"],
                              diagnosis=diagnosis.summarise(runs)).row(0, named=True)
    if row["verdict"] == "not supported":
        assert row["note"].startswith("Too little data to tell")
    assert row["power"] == pytest.approx(0.1)


def test_the_stored_diagnosis_covers_every_test_world_and_size_of_its_plan() -> None:
    table = diagnosis.stored_diagnosis()
    about = json.loads((diagnosis._paths.calibration_dir() / "diagnosis.json").read_text())
    plan = diagnosis.Plan(tuple(about["plan"]["holds"]), tuple(about["plan"]["null"]))
    expected = {(j.world, t.size) for j in diagnosis_runs.jobs(plan) for t in j.tasks}
    assert {(w, s) for w, s in table.select("world", "size").iter_rows()} == expected
    matrix = diagnosis.design_matrix()
    assert set(table["claim"]) == set(matrix["claim"])
    for row in table.iter_rows(named=True):
        counts = plan.holds if row["role"] == "holds" else plan.null
        sizes = diagnosis.CREATOR_SIZES if row["unit"] == "creators" else diagnosis.SIZES
        assert row["datasets"] == counts[sizes.index(row["size"])], row


def test_every_claim_gets_a_fixed_verdict_an_estimand_and_power_in_the_json(tmp_path,
                                                                            capsys) -> None:
    from toolkit.simulation.store import write_simulation

    write_simulation(tmp_path, worlds.world("baseline"), 40, seed=5)
    assert main(["claims", "--data", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["claims"]
    assert [r["claim"] for r in rows] == [c.id for c in claims.CLAIMS]
    for row in rows:
        assert row["verdict"] in claims.VERDICTS and row["estimand"], row["claim"]
        if row["diagnosis"].startswith(("ok", "fails")):
            assert row["worst_world"] and row["false_supported"] is not None, row["claim"]


def test_the_diagnose_command_writes_the_table_and_its_plan(tmp_path, capsys) -> None:
    assert main(["diagnose", "--claims", "C17", "--scale", "0.002", "--workers", "1",
                 "--out", str(tmp_path)]) == 0
    table = pl.read_csv(tmp_path / "diagnosis.csv")
    assert set(table["claim"]) == {"C17"} and (table["datasets"] == 1).all()
    about = json.loads((tmp_path / "diagnosis.json").read_text())
    assert about["command"] == "toolkit diagnose --scale 0.002 --seed 2026 --claims C17"
    assert "diagnosis.csv" in capsys.readouterr().out


def test_rerunning_some_claims_keeps_the_others_rows_and_the_record_of_the_full_run(
        tmp_path: Path, small_jobs) -> None:
    plan = diagnosis.Plan(holds=(0, 1, 0, 0), null=(0, 1, 0, 0))
    runs = diagnosis_runs.diagnose(tmp_path, plan, ["C16", "C17"], seed=2,
                                   recorder=as_recorded)
    diagnosis_runs.write_diagnosis(tmp_path, runs, "full", 100.0, plan)
    again = diagnosis_runs.diagnose(tmp_path, plan, ["C17"], seed=2)
    diagnosis_runs.write_diagnosis(tmp_path, again.with_columns(estimate=pl.lit(9.0)),
                                   "part", 5.0, plan, keep=["C17"])
    stored = pl.read_parquet(tmp_path / "diagnosis_runs.parquet")
    assert stored.height == runs.height  # C16's rows kept, C17's replaced, none twice
    assert (stored.filter(pl.col("claim") == "C17")["estimate"] == 9.0).all()
    assert stored.filter(pl.col("claim") == "C16").equals(
        runs.filter(pl.col("claim") == "C16").sort("claim", "world", "size", "replicate"))
    assert set(pl.read_csv(tmp_path / "diagnosis.csv")["claim"]) == {"C16", "C17"}
    about = json.loads((tmp_path / "diagnosis.json").read_text())
    assert (about["command"], about["seconds"]) == ("full", 100)
    assert [(r["command"], r["claims"]) for r in about["partial_runs"]] == [("part", ["C17"])]


def test_redo_replaces_one_claims_rows_and_keeps_the_others(tmp_path: Path, monkeypatch,
                                                            small_jobs) -> None:
    plan = diagnosis.Plan(holds=(0, 1, 0, 0), null=(0, 1, 0, 0))
    first = diagnosis_runs.diagnose(tmp_path, plan, ["C16", "C17"], seed=2,
                                    recorder=as_recorded)
    original = claims.Claim.function

    def changed(self):
        test = original(self)
        if self.id != "C17":
            return test

        def shifted(data, rng):  # the "new design" of C17: the old estimate plus one
            e = test(data, rng)
            return claims.Evidence(e.claim, e.measure, e.estimate + 1, e.low, e.high,
                                   e.p_value, e.n, e.verdict, e.note)
        return shifted

    monkeypatch.setattr(claims.Claim, "function", changed)
    again = diagnosis_runs.diagnose(tmp_path, plan, ["C17"], seed=2, redo=True)
    before = first.filter(pl.col("claim") == "C17").sort("world", "replicate")
    assert (again.sort("world", "replicate")["estimate"] - before["estimate"]).to_list() \
        == pytest.approx([1.0] * before.height)
    every = diagnosis_runs.diagnose(tmp_path, plan, ["C16", "C17"], seed=2,
                                    recorder=as_recorded)
    assert every.filter(pl.col("claim") == "C16").sort("world", "replicate").equals(
        first.filter(pl.col("claim") == "C16").sort("world", "replicate"))


def test_a_runs_folder_keeps_one_seed_and_redo_forgets_old_rows_everywhere(
        tmp_path: Path, small_jobs) -> None:
    diagnosis_runs.diagnose(tmp_path, TINY, ["C17"], seed=5)
    with pytest.raises(ValueError, match="holds the jobs of seed 5, not 6"):
        diagnosis_runs.diagnose(tmp_path, TINY, ["C17"], seed=6)
    smaller = diagnosis.Plan(holds=(1, 1, 0, 0), null=(0, 1, 0, 0))
    diagnosis_runs.diagnose(tmp_path, smaller, ["C17"], seed=5, redo=True)
    stored = pl.concat([pl.read_parquet(f) for f in (tmp_path / "runs").glob("*.parquet")])
    assert stored.filter(pl.col("size") == 100)["replicate"].max() == 0  # no stale rows left


def test_the_call_lift_truth_follows_the_model() -> None:
    # a 1-minute call of 6 ten-second steps touches 11/6 minutes on average: 6 of 11 steps
    assert diagnosis_runs.call_minute_lift(worlds.world()) == pytest.approx(math.log(1 + 3 * 6 / 11))
    assert diagnosis_runs.call_minute_lift(worlds.world("cta_ignored")) == 0.0
    runs = _runs("C17", "baseline", 100, ["supported"] * 3, [0.5, 1.0, 1.5]).with_columns(
        truth=pl.lit(1.0))
    row = diagnosis.summarise(runs).row(0, named=True)
    assert row["estimand"] == 1.0 and row["bias"] == pytest.approx(0.0, abs=1e-12)
    assert row["coverage"] == pytest.approx(1 / 3)  # only the middle interval holds 1.0


def test_the_weekly_budget_truth_is_given_only_where_gifts_feed_back_into_nothing() -> None:
    truth = diagnosis_runs.weekly_budget_elasticity
    assert truth(worlds.world()) == 1.0  # nothing is scaled: each LIVE earns like the others
    assert truth(worlds.world("fan_budget")) == 0.0
    assert truth(worlds.world("fan_budget+generous_weeks")) == 0.0  # a confounder, not a cause
    half = worlds.world("fan_budget").replace(gift_budget_split=0.5)
    assert truth(half) == 0.5
    assert math.isnan(truth(worlds.world().replace(gift_budget_split=1.0)))  # gifts feed back
    assert diagnosis_runs.TRUTHS["C8"] is truth and "C8" in diagnosis.CREATOR_CLAIMS


def test_a_recorded_world_is_its_simulated_world_seen_through_a_recording() -> None:
    assert diagnosis_runs.simulated_world("bursts_equal@recorded") == ("bursts_equal", True)
    assert diagnosis_runs.simulated_world("herding+gift_battles") == ("herding+gift_battles",
                                                                      False)
    with pytest.raises(ValueError, match="only measurement suffix"):
        diagnosis_runs.simulated_world("baseline@sampled")


def test_a_recorded_world_records_the_very_sessions_of_its_simulated_world(
        tmp_path: Path, small_jobs) -> None:
    recorded_world = "no_strong_moments@recorded"
    with pytest.raises(ValueError, match="pass recorder="):
        diagnosis_runs.diagnose(tmp_path, TINY, ["C16"], seed=3, worlds=[recorded_world])
    with pytest.raises(ValueError, match="in no matrix"):
        diagnosis_runs.diagnose(tmp_path, TINY, ["C16"], seed=3, worlds=["baseline@recorded"])
    seen: list[tuple[Dataset, Dataset]] = []

    def recorder(data: Dataset, rng: np.random.Generator) -> Dataset:
        seen.append((data, as_recorded(data, rng)))
        return seen[-1][1]

    runs = diagnosis_runs.diagnose(tmp_path, TINY, ["C16"], seed=3, recorder=recorder,
                                   worlds=[recorded_world])
    assert set(runs["world"]) == {recorded_world} and runs.height == 2
    plain = next(j for j in diagnosis_runs.jobs(TINY, ["C16"], seed=3)
                 if j.world == "no_strong_moments")
    simulated, recording = seen[0]
    assert simulated.table("events").equals(diagnosis_runs._simulate(plain).table("events"))
    assert recording.source == "recorded"
    hearts = [int(d.table("events").filter(pl.col("kind") == "heart")["count"].sum())
              for d in (simulated, recording)]
    assert 0 < hearts[1] < hearts[0]  # the recording lost hearts, so the datasets differ


def test_the_diagnose_command_needs_claims_to_rerun_some_worlds(tmp_path, capsys) -> None:
    assert main(["diagnose", "--worlds", "bursts_equal@recorded", "--out",
                 str(tmp_path)]) == 2
    assert "--worlds needs --claims" in capsys.readouterr().err
    assert not (tmp_path / "diagnosis.csv").exists()


def test_rerunning_one_world_of_a_claim_keeps_its_other_worlds(tmp_path: Path) -> None:
    plan = diagnosis.Plan(holds=(0, 1, 0, 0), null=(0, 4, 0, 0))
    plain = _runs("C16", "no_strong_moments", 100, ["not supported"] * 4)
    first = pl.concat([plain, _runs("C16", "no_strong_moments@recorded", 100,
                                    ["not supported"] * 4)])
    diagnosis_runs.write_diagnosis(tmp_path, first, "full", 10.0, plan)
    with pytest.raises(ValueError, match="worlds needs keep"):
        diagnosis_runs.write_diagnosis(tmp_path, first, "part", 1.0, plan,
                                       worlds=["no_strong_moments@recorded"])
    again = _runs("C16", "no_strong_moments@recorded", 100, ["supported"] * 4)
    table = diagnosis_runs.write_diagnosis(tmp_path, again, "part", 1.0, plan, keep=["C16"],
                                           worlds=["no_strong_moments@recorded"])
    stored = pl.read_parquet(tmp_path / "diagnosis_runs.parquet")
    assert stored.height == 8
    assert stored.filter(pl.col("world") == "no_strong_moments").equals(plain)
    assert (stored.filter(pl.col("world") == "no_strong_moments@recorded")["verdict"]
            == "supported").all()
    assert set(table["world"]) == {"no_strong_moments", "no_strong_moments@recorded"}
    about = json.loads((tmp_path / "diagnosis.json").read_text())
    assert about["partial_runs"][-1]["worlds"] == ["no_strong_moments@recorded"]


def test_a_failing_tests_note_names_the_world_where_it_errs_most() -> None:
    table = diagnosis.stored_diagnosis()
    for claim_id, why in diagnosis.failures(table).items():
        worst = diagnosis.worst_null(table, claim_id)
        rate = max(worst["false_supported"], worst["false_contradicted"])  # type: ignore[type-var]
        if rate > diagnosis.limit(500):
            assert why.startswith(f"in {worst['world']} at {worst['size']} "), (claim_id, why)
