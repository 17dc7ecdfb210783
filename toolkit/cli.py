"""Command line: ``toolkit <command>`` (also ``python -m toolkit``).

Commands
--------
build     execute the notebooks and build the explainer site
classroom derive the student copies of the notebooks (solutions blanked)
simulate  simulate LIVE sessions of a world and write them as parquet files
          (--partitioned: a folder per batch of sessions, in parallel or on Dask)
summary   the LIVE summary or minute table of a dataset folder, part by part (Dask-ready)
cost      the cheapest way to buy N coins
flow      follow N coins from the viewer's wallet to the creator's payout
gifts     list or search the gift catalogue
validate  check a CSV file of events against the canonical schema
claims    test every claim on a dataset folder and print the verdicts
diagnose  diagnose every claim test in every world of its matrix (bias, coverage, error
          rates, power) by simulation; resumable
claims-page  regenerate docs/claims.md (verdicts per world) from the registry
ingest    read LIVE recordings (toolkit record, tiktok-live-connector, Java collector) into
          the canonical tables
record    record a TikTok LIVE with tiktoklive (optional extra: pip install '.[record]')
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from toolkit import __version__
from toolkit.money import reference

if TYPE_CHECKING:
    from toolkit.events.dataset import Dataset

__all__ = ["main"]


def _cost(args: argparse.Namespace) -> int:
    from toolkit.money.coins import cheapest_purchase

    purchase = cheapest_purchase(args.coins, args.channel)
    packs = " + ".join(f"{n} x {size}" for size, n in purchase.packs) or "nothing"
    print(f"{purchase.coins_wanted} coins ({purchase.channel}): buy {packs} coins "
          f"= {purchase.coins_bought} coins for ${purchase.price_usd} "
          f"({purchase.leftover_coins} left over)")
    return 0


def _dollars(amount: Decimal) -> str:
    """Cents as cents ($9.60); finer amounts in full ($2.625), never rounded away."""
    cents = amount.quantize(Decimal("0.01"))
    return f"{cents}" if cents == amount else f"{amount.normalize()}"


def _flow(args: argparse.Namespace) -> int:
    from toolkit.money.payout import money_flow, rates

    flow = money_flow(args.coins, rates(args.rates))
    print(f"rates: {flow.rates.name}")
    print(f"viewer pays          ${_dollars(flow.viewer_paid_usd):>12} for {flow.coins} coins "
          f"(the cheapest packages for at least {flow.coins_wanted})")
    print(f"creator is credited   {flow.diamonds:>12} Diamonds")
    print(f"creator is paid      ${_dollars(flow.creator_usd):>12} "
          f"({float(flow.creator_share):.1%} of what the viewer paid)")
    print(f"platform and stores  ${_dollars(flow.platform_usd):>12}")
    return 0


def _gifts(args: argparse.Namespace) -> int:
    table = reference.gift_catalogue()
    if args.search:
        table = table.filter(pl.col("name").str.to_lowercase().str.contains(args.search.lower(),
                                                                           literal=True))
    with pl.Config(tbl_rows=-1):
        print(table)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from toolkit.events.manifest import write_report_csv
    from toolkit.events.reading import read_events_csv

    if args.rejected and Path(args.rejected).exists() and Path(args.rejected).samefile(args.file):
        raise ValueError(f"--rejected {args.rejected} is the file being checked; give another "
                         "name (the input is never overwritten)")
    result = read_events_csv(args.file, on_error="quarantine")
    print(f"{args.file}: rows read {result.rows_read} = loaded {result.events.height} "
          f"+ rejected {result.rejected.height}")
    if result.rejected.height:
        by_reason = result.rejected.group_by("reason").len().sort("len", descending=True)
        for reason, n in by_reason.iter_rows():
            print(f"  {n:>6}  {reason}")
        if args.rejected:
            write_report_csv(result.rejected, Path(args.rejected))
            print(f"rejected rows written to {args.rejected}")
    return 1 if result.rejected.height else 0


def _progress(label: str) -> Callable[[int, int], None]:
    """A one-line progress bar on standard error, with the time left at the pace so far."""
    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        elapsed = time.perf_counter() - started
        left = f", about {elapsed / done * (total - done) / 60:.0f} min left" \
            if 0 < done < total else ""
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
              f"({elapsed:.0f} s{left})", end="" if done < total else "\n", file=sys.stderr,
              flush=True)

    return show


def _world_name(name: str) -> str:
    """A preset world's name, or presets joined by ``+`` (checked as argparse reads it)."""
    from toolkit.simulation.worlds import world

    try:
        world(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return name


def _compression_level(text: str) -> int:
    try:
        level = int(text)
    except ValueError:
        level = 0
    if not 1 <= level <= 22:
        raise argparse.ArgumentTypeError(f"a zstd level is a whole number from 1 to 22, not {text!r}")
    return level


def _simulate(args: argparse.Namespace) -> int:
    from toolkit.simulation.store import write_creator_simulation, write_simulation
    from toolkit.simulation.worlds import world

    chosen = world(args.world)
    out = Path(args.out)
    if args.partitioned:
        if args.creators:
            raise ValueError("--partitioned writes independent sessions, not --creators")
        from toolkit.simulation.partitioned import write_partitioned_simulation

        events = write_partitioned_simulation(
            out, chosen, args.sessions, args.seed, workers=args.workers,
            scheduler=args.scheduler, compression_level=args.compression_level,
            progress=_progress("batches"))
        print(f"wrote {events:,} events of world {chosen.name!r} to {out}/ (partitioned)")
        return 0
    if args.creators:
        paths = write_creator_simulation(out, chosen, args.creators, args.days, args.seed,
                                         _progress("days"), args.compression_level)
    else:
        paths = write_simulation(out, chosen, args.sessions, args.seed, _progress("sessions"),
                                 args.compression_level)
    events = pl.scan_parquet(paths["events"]).select(pl.len()).collect().item()
    print(f"wrote {events:,} events of world {chosen.name!r} to {out}/")
    return 0


def _summary(args: argparse.Namespace) -> int:
    import os

    from toolkit.analytics.partitioned import by_part

    if args.out.suffix != ".parquet":
        raise ValueError(f"--out {args.out}: give a .parquet file name")
    if args.out.resolve().is_relative_to(args.data.resolve()):
        raise ValueError(f"--out {args.out}: is inside the dataset folder {args.data}; write "
                         "the table somewhere else (nothing was written)")
    if args.out.is_dir():
        raise ValueError(f"--out {args.out}: is a folder; give a .parquet file name")
    if not args.out.parent.is_dir():
        raise ValueError(f"--out {args.out}: the folder {args.out.parent} does not exist")
    table = by_part(args.data, args.table, workers=args.workers, scheduler=args.scheduler,
                    progress=_progress("parts"))
    partial = args.out.with_name(f".{args.out.name}.partial")
    try:
        table.write_parquet(partial)
        os.replace(partial, args.out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"wrote {table.height:,} rows of {args.table} to {args.out}")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from toolkit import recordings

    out = Path(args.out)
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"--out {out}: {folder} exists and is not a folder")
    whole = out.resolve()  # so that "." and "a/.." have a name and a parent
    salt_path = Path(args.salt_file) if args.salt_file else whole.parent / f"{whole.name}.salt"
    if not args.keep_ids and salt_path.resolve().is_relative_to(out.resolve()):
        raise ValueError(f"the salt file {salt_path} must not be inside the output folder")
    salt = None if args.keep_ids else recordings.read_salt(salt_path)
    result = recordings.ingest(args.files, keep_ids=args.keep_ids, salt=salt,
                           timezone=args.timezone)
    # written before anything is printed, so `toolkit ingest ... | head` cuts no file; when
    # nothing loaded the report still goes out and an earlier run's tables are removed
    nothing = result.report["loaded"] == 0
    paths = recordings.write(result, out, tables=not nothing)
    for line in recordings.summary_lines(result.report):
        print(line)
    if nothing:
        print(f"toolkit ingest: error: nothing loaded from {len(args.files)} file(s); "
              f"see {paths['report']} and {paths['rejected'].name}", file=sys.stderr)
        return 1
    print(f"wrote {', '.join(p.name for p in paths.values())} to {out}/")
    if salt is not None:
        print(f"pseudonyms: salt in {salt_path} (keep it private and apart from {out}/)")
    return 0


def _record(args: argparse.Namespace) -> int:
    from toolkit.recordings import recorder

    if args.minutes is not None and not args.minutes > 0:  # also refuses nan
        raise ValueError(f"--minutes must be a positive number, got {args.minutes}")
    if not args.user.strip().lstrip("@"):
        raise ValueError("give the creator's handle, e.g. @someone")
    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; give a file name such as {out}/live.jsonl")
    existed = out.exists()
    try:
        counts = recorder.record(args.user, out, minutes=args.minutes)
    except (ImportError, ValueError):
        raise
    except Exception as error:  # the client's network and TikTok errors, untangled
        if not existed and out.is_file() and out.stat().st_size == 0:
            out.unlink()  # nothing recorded: leave no empty file behind
        cause: BaseException = error
        while cause.__cause__ is not None:
            cause = cause.__cause__
        print(f"toolkit record: error: could not record {args.user}: {type(error).__name__}: "
              f"{cause}. Check the internet connection, that the creator is LIVE now, and "
              "the sign server's rate limits (docs/recording.md).", file=sys.stderr)
        return 1
    total = sum(counts.values())
    print(f"recorded {total:,} events to {args.out}: "
          + ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items())))
    return 0


def _classroom(args: argparse.Namespace) -> int:
    from toolkit._paths import PROJECT
    from toolkit.publish.classroom import student_copies

    written = student_copies(PROJECT / "notebooks", Path(args.out))
    print(f"wrote {len(written)} student notebook(s) to {args.out}/")
    return 0


def _positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _build(args: argparse.Namespace) -> int:
    from toolkit.publish.build import build

    build(Path(args.out), in_place=args.in_place, only=args.only, jobs=args.jobs)
    return 0


def _check_events(folder: Path, data: Dataset) -> None:
    """Refuse a dataset whose events break the events table's rules (negative coins, counts
    of 0, totals beyond 64 bits...): a test on them would give a verdict on nonsense. A
    recording's gifts keep the price it carried, so a price other than the catalogue's (or
    a gift the catalogue does not know) is not an error there."""
    from toolkit.events.schema import validate

    problems = validate(data.table("events"))
    if data.source == "recorded":
        problems = problems.filter(~pl.col("problem").str.starts_with("does not equal the gift")
                                   & ~pl.col("problem").str.starts_with("unknown gift id"))
    if problems.height:
        first = problems.row(0, named=True)
        where = "the whole column" if first["row"] is None else f"row {first['row']:,}"
        raise ValueError(f"{folder}: {problems.height:,} value(s) of the events table break its "
                         f"rules; first: {where}, {first['column']} = {first['value']}: "
                         f"{first['problem']} (toolkit.events.validate lists them all)")


def _claims(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from toolkit.claims.verdicts import run_claims
    from toolkit.events.dataset import Dataset

    data = Dataset.from_folder(args.data)
    _check_events(args.data, data)
    ids = [i.strip() for i in args.claims.split(",")] if args.claims else None
    table = run_claims(data, np.random.default_rng(args.seed), ids)
    if args.json:
        rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
                for row in table.iter_rows(named=True)]
        print(json.dumps({"data": str(args.data), "source": data.source, "seed": args.seed,
                          "claims": rows}, indent=2))
        return 0
    print(f"{data.name} ({data.source}); verdicts at 5 % after Benjamini-Hochberg; seed "
          f"{args.seed}\n")
    for row in table.iter_rows(named=True):
        if row["verdict"] == "skipped":
            print(f"{row['claim']:>4}  skipped        {row['note']}")
            continue
        interval = f"[{row['low']:.3g}, {row['high']:.3g}]"
        p = "" if row["p_adjusted"] is None else f"  p_adj {row['p_adjusted']:.2g}"
        truth = "" if row["truth"] is None or row["truth"] != row["truth"] \
            else f"  truth {row['truth']:.3g}"
        power = "" if row["power"] is None or row["power"] != row["power"] \
            else f"  power {100 * row['power']:.0f} %"
        print(f"{row['claim']:>4}  {row['verdict']:<14} {row['estimate']:.3g} {interval}{truth}"
              f"{p}  n {row['n']:,}{power}  diagnosis: {row['diagnosis']}")
        print(f"      {row['estimand']}: {row['note']}")
    return 0


def _diagnose(args: argparse.Namespace) -> int:
    from toolkit.claims import diagnosis, diagnosis_runs
    from toolkit.recordings.delivery import as_recorded

    started = time.perf_counter()
    plan = diagnosis.Plan().scaled(args.scale)
    ids = args.claims.split(",") if args.claims else None
    worlds = args.worlds.split(",") if args.worlds else None
    if worlds is not None and ids is None:
        print("toolkit diagnose: --worlds needs --claims (the claims whose rows it replaces)",
              file=sys.stderr)
        return 2
    command = (f"toolkit diagnose --scale {args.scale:g} --seed {args.seed}"
               + (f" --claims {args.claims}" if args.claims else "")
               + (f" --worlds {args.worlds}" if args.worlds else "")
               + (" --redo" if args.redo else ""))
    report: dict[str, int] = {}
    runs = diagnosis_runs.diagnose(args.out, plan, ids, args.seed, args.workers,
                                   progress=_progress("simulation jobs"), redo=args.redo,
                                   report=report, scheduler=args.scheduler,
                                   recorder=as_recorded, worlds=worlds)
    table = diagnosis_runs.write_diagnosis(args.out, runs, command,
                                           time.perf_counter() - started, plan, keep=ids,
                                           report=report, worlds=worlds)
    failing = diagnosis.failures(table)
    print(f"wrote {args.out}/diagnosis.csv: {table.height} rows, "
          f"{runs.height:,} test results; tests failing their diagnosis: {len(failing)}")
    for claim_id, why in failing.items():
        print(f"  {claim_id:>4} inconclusive: fails {why}")
    return 0


def _claims_page(args: argparse.Namespace) -> int:
    from toolkit.claims.page import write_claims_page

    verdicts = write_claims_page(args.docs, args.store, args.seed)
    print(f"wrote {args.docs}/claims.md and {args.store}/verdicts_by_world.csv "
          f"({len(verdicts)} verdicts)")
    return 0


class _Parser(argparse.ArgumentParser):
    """An argument parser that takes no abbreviated flags: a typo such as ``--k`` must not be
    read as ``--keep-ids`` (and write real ids and names)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``toolkit`` command."""
    main_parser = _Parser(
        prog="toolkit", description="Live-stream engagement economics toolkit.")
    main_parser.add_argument("--version", action="version", version=f"toolkit {__version__}")
    commands = main_parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cost = commands.add_parser("cost", help="cheapest way to buy N coins")
    cost.add_argument("coins", type=int)
    cost.add_argument("--channel", default="in_app", choices=reference.CHANNELS)
    cost.set_defaults(run=_cost)

    from toolkit.money.payout import RATE_PRESETS

    flow = commands.add_parser("flow", help="follow N coins from viewer to creator")
    flow.add_argument("coins", type=int)
    flow.add_argument("--rates", default="reference", choices=RATE_PRESETS)
    flow.set_defaults(run=_flow)

    gifts = commands.add_parser("gifts", help="list or search the gift catalogue")
    gifts.add_argument("--search", help="part of a gift name")
    gifts.set_defaults(run=_gifts)

    validate = commands.add_parser("validate", help="check a CSV file of events")
    validate.add_argument("file", type=Path)
    validate.add_argument("--rejected", type=Path, help="write rejected rows to this CSV")
    validate.set_defaults(run=_validate)

    from toolkit.simulation.worlds import world_names

    simulate = commands.add_parser("simulate", help="simulate LIVE sessions to parquet files")
    simulate.add_argument("--world", default="baseline", type=_world_name,
                          help=f"a preset ({', '.join(world_names())}) or presets joined by +")
    simulate.add_argument("--sessions", type=int, default=1000, help="independent sessions")
    simulate.add_argument("--creators", type=int, default=0,
                          help="simulate this many creators over --days days instead")
    simulate.add_argument("--days", type=int, default=28)
    simulate.add_argument("--seed", type=int, required=True)
    simulate.add_argument("--out", required=True, help="folder for the parquet files")
    simulate.add_argument("--compression-level", type=_compression_level, default=3,
                          help="zstd level, 1 to 22 (default 3; the bundled data use 15: "
                               "a fifth smaller, ten times slower to write)")
    simulate.add_argument("--partitioned", action="store_true",
                          help="write each batch of 2,000 sessions to its own folder "
                               "(events/batch=00000/...), batches in parallel; resumable")
    simulate.add_argument("--workers", type=_positive_int, default=1,
                          help="with --partitioned: processes (default 1)")
    simulate.add_argument("--scheduler",
                          help="with --partitioned: run on Dask, 'local' or tcp://host:8786")
    simulate.set_defaults(run=_simulate)

    summary = commands.add_parser(
        "summary", help="the LIVE summary (or minute table) of a dataset folder, part by part")
    summary.add_argument("--data", required=True, type=Path, help="a dataset folder")
    summary.add_argument("--table", choices=("live_summary", "live_minutes"),
                         default="live_summary")
    summary.add_argument("--out", required=True, type=Path, help="parquet file to write")
    summary.add_argument("--workers", type=_positive_int, default=1, help="processes")
    summary.add_argument("--scheduler", help="run on Dask: 'local' or tcp://host:8786")
    summary.set_defaults(run=_summary)

    claims = commands.add_parser("claims", help="test every claim on a dataset folder")
    claims.add_argument("--data", required=True, type=Path,
                        help="folder with events.parquet (and sessions, platform, ...)")
    claims.add_argument("--json", action="store_true", help="print JSON instead of a table")
    claims.add_argument("--claims", help="only these ids, comma-separated (C13,C7)")
    claims.add_argument("--seed", type=int, default=2026, help="seed of the bootstrap draws")
    claims.set_defaults(run=_claims)

    diagnose = commands.add_parser(
        "diagnose", help="bias, coverage, error rates and power of every claim test")
    diagnose.add_argument("--out", default="data/calibration", type=Path,
                          help="folder for diagnosis.csv and the per-job runs (resumed)")
    diagnose.add_argument("--scale", type=float, default=1.0,
                          help="multiply the number of datasets (1 = the stored plan)")
    diagnose.add_argument("--claims", help="only these ids (others keep their stored rows)")
    diagnose.add_argument("--worlds", help="with --claims: only these worlds of their matrices "
                          "(a world just added; the others keep their stored rows)")
    diagnose.add_argument("--redo", action="store_true",
                          help="compute the chosen claims' rows again (after a test changed)")
    diagnose.add_argument("--seed", type=int, default=2026)
    diagnose.add_argument("--workers", type=int, default=2, help="processes")
    diagnose.add_argument("--scheduler",
                          help="run on Dask: 'local' (a cluster of --workers processes here) "
                               "or a scheduler's address, tcp://host:8786 (docs/performance.md)")
    diagnose.set_defaults(run=_diagnose)

    page = commands.add_parser("claims-page", help="regenerate docs/claims.md")
    page.add_argument("--docs", default="docs", type=Path)
    page.add_argument("--store", default="data/calibration", type=Path)
    page.add_argument("--seed", type=int, default=2026)
    page.set_defaults(run=_claims_page)

    ingest = commands.add_parser(
        "ingest", help="read LIVE recordings into the canonical tables",
        description="Read recordings (toolkit record JSON Lines, tiktok-live-connector JSON "
        "Lines v1 or v2, Java collector JSON; gzip or not: the format is told from the "
        "content) and write events, sessions, messages and gifts tables, rejected.csv and "
        "ingest.json to --out.")
    ingest.add_argument("files", nargs="+", type=Path, help="recording files")
    ingest.add_argument("--out", required=True, help="output folder")
    ingest.add_argument("--keep-ids", action="store_true",
                        help="keep viewers' ids, handles and names (default: salted pseudonyms)")
    ingest.add_argument("--salt-file", help="secret for the pseudonyms (default: OUT.salt "
                        "beside the output folder; made if missing)")
    ingest.add_argument("--timezone", default="UTC",
                        help="IANA zone for the sessions' local start hour (default UTC)")
    ingest.set_defaults(run=_ingest)

    record = commands.add_parser(
        "record", help="record a TikTok LIVE (needs .[record])",
        description="Record the events of a TikTok LIVE with tiktoklive 7.0.1 into a "
        "toolkit-live/1 JSON Lines file (appended to). Read docs/recording.md first: the "
        "platform's terms, and the privacy of the people in the recording.")
    record.add_argument("user", help="the creator's handle, e.g. @someone")
    record.add_argument("--out", required=True, help="JSON Lines file (appended to)")
    record.add_argument("--minutes", type=float, help="stop after this many minutes")
    record.set_defaults(run=_record)

    classroom = commands.add_parser("classroom", help="derive the student copies")
    classroom.add_argument("--out", default="classroom/notebooks")
    classroom.set_defaults(run=_classroom)

    build = commands.add_parser("build", help="execute the notebooks, build the site")
    build.add_argument("--out", default="build", help="build folder (default: build)")
    build.add_argument("--in-place", action="store_true",
                       help="also save executed notebooks over notebooks/ (refresh outputs)")
    build.add_argument("--only", help="run only notebooks whose name contains this")
    build.add_argument("--jobs", type=_positive_int, default=None,
                       help="notebooks executed at once (default: the cores, at most 4)")
    build.set_defaults(run=_build)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parser().parse_args(argv)
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:  # `toolkit ... | head`: the reader has gone; nothing is wrong
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (ValueError, OSError, ImportError) as error:
        print(f"toolkit {args.command}: error: {error}", file=sys.stderr)
        return 2
    except pl.exceptions.PolarsError as error:  # a table without the columns a step needs
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(f"toolkit {args.command}: error: the data do not have the form this command "
              f"needs ({type(error).__name__}: {first})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted(args.command)
    except SystemError as error:  # a compiled kernel (numba) interrupted by Ctrl-C
        if not _caused_by_interrupt(error):
            raise
        return _interrupted(args.command)


def _interrupted(command: str) -> int:
    print(f"\ntoolkit {command}: interrupted (what was finished is kept: run the same "
          "command again to resume where it can)", file=sys.stderr)
    return 130


def _caused_by_interrupt(error: BaseException) -> bool:
    """Whether a KeyboardInterrupt is in the chain of causes of ``error``."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
