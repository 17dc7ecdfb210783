"""The one container of a dataset's tables: :class:`Dataset`.

Everything that makes or reads a dataset meets here: the simulator returns a ``Dataset``
(:func:`toolkit.simulation.simulate`), a folder on disk is read into one
(:meth:`Dataset.from_folder`, for simulated and ingested folders alike), an ingest holds one
(:attr:`toolkit.recordings.IngestResult.dataset`), and every claim test reads one.

A dataset has the canonical ``events`` table (what any LIVE client records) and, where the
data have them, the tables of :data:`TABLES`. The tables ``platform`` and ``viewers`` hold what
only the platform knows (visibility, true viewer labels); a dataset whose ``source`` is
``"recorded"`` never counts them as present, so a test that needs them skips on real data.

Tables are held as ``polars.LazyFrame`` (nothing is read from disk until needed);
:meth:`Dataset.table` collects one into a ``DataFrame`` once and keeps it.

>>> import polars as pl
>>> from toolkit.events import Dataset, example_session
>>> data = Dataset.from_tables(events=example_session(), source="recorded", name="example")
>>> data.has("events"), data.has("sessions")
(True, False)
>>> data.table("events").height
70
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import polars as pl

from toolkit._checks import OneOf, Text, check_fields, check_relation
from toolkit.events.manifest import MANIFEST, listed_tables
from toolkit.events.schema import EVENTS_SCHEMA

__all__ = ["Dataset", "TABLES", "SOURCES", "REPLIES_SCHEMA", "table_parts"]

T = TypeVar("T")

#: The tables a dataset may hold, each as ``<name>.parquet`` in a dataset folder.
TABLES: tuple[str, ...] = ("events", "sessions", "platform", "viewers", "videos", "creators",
                           "replies")
#: The host's replies by name (an @-mention in the chat), one row each: when, and to whom.
#: What a recording shows as the host's chat messages that mention a viewer (C9).
REPLIES_SCHEMA: dict[str, pl.DataType] = {
    "session_id": pl.String(),
    "ts": pl.Datetime("ms", "UTC"),
    "user_id": pl.String(),
}
#: Where a dataset comes from: the simulator, or a recording of a real LIVE.
SOURCES: tuple[str, ...] = ("simulated", "recorded")
_HIDDEN = frozenset({"platform", "viewers"})

Frame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class Dataset:
    """The tables of one dataset, as lazy frames; ``None`` where the dataset has no such table.

    Attributes
    ----------
    events : polars.LazyFrame
        The canonical events table (:data:`toolkit.events.EVENTS_SCHEMA`).
    sessions : polars.LazyFrame or None
        One row per session (:data:`toolkit.simulation.SESSIONS_SCHEMA`); a recording has
        ``session_id``, ``creator_id``, ``start`` and ``followers`` at least.
    platform : polars.LazyFrame or None
        Per session-minute visibility, impressions, calls to action, strong moments: what only
        the platform knows (simulations only).
    viewers : polars.LazyFrame or None
        True viewer labels (bots, gifters, stays): simulations only.
    videos : polars.LazyFrame or None
        Regular-video views and likes per creator and day (creators-over-days simulations).
    creators : polars.LazyFrame or None
        One row per creator as at the start (creators-over-days simulations).
    replies : polars.LazyFrame or None
        The host's replies by name, one row each (``session_id``, ``ts``, ``user_id`` of the
        viewer answered): what a chat shows as the host's @-mentions (simulations of worlds
        where the host answers; C9).
    source : {"simulated", "recorded"}
        Tests that need platform knowledge skip on recordings even when a table of that name
        is present.
    name : str
        A label for tables and messages (the folder name, say).
    """

    events: pl.LazyFrame
    sessions: pl.LazyFrame | None = None
    platform: pl.LazyFrame | None = None
    viewers: pl.LazyFrame | None = None
    videos: pl.LazyFrame | None = None
    creators: pl.LazyFrame | None = None
    replies: pl.LazyFrame | None = None
    source: str = "simulated"
    name: str = "data"
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False,
                                        compare=False)

    def __post_init__(self) -> None:
        check_fields(self, {"source": OneOf(SOURCES), "name": Text()})
        check_relation(self, isinstance(self.events, pl.LazyFrame), "events",
                       "a polars LazyFrame (Dataset.from_tables takes eager frames)")
        for name in TABLES:
            value = getattr(self, name)
            check_relation(self, value is None or isinstance(value, pl.LazyFrame), name,
                           "None or a polars LazyFrame (Dataset.from_tables takes eager frames)")

    @classmethod
    def from_tables(cls, *, events: Frame, source: str = "simulated", name: str = "data",
                    **tables: Frame | None) -> Dataset:
        """A dataset from frames, eager or lazy (``sessions=...``, ``platform=...``, ...)."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(f"Dataset has no table {sorted(unknown)[0]!r}; the tables are "
                             f"{', '.join(TABLES)}")
        lazy = {k: v.lazy() for k, v in tables.items() if v is not None}
        return cls(events=events.lazy(), source=source, name=name, **lazy)

    @classmethod
    def from_folder(cls, folder: str | Path) -> Dataset:
        """Read a dataset folder (``events.parquet`` is required).

        A folder with a manifest (``dataset.json``, :mod:`toolkit.events.manifest`, written by
        ``toolkit simulate`` and ``toolkit ingest``) gives the tables it lists, each checked
        (an interrupted write, or a table from another run, is refused naming it; other
        parquet files in the folder are not read) and its source. A folder without one gives
        every ``<table>.parquet`` found in it.

        A partitioned dataset (:mod:`toolkit.simulation.partitioned`: ``events/batch=*/`` and so
        on) is read as one lazy table per folder of parts.

        Without a manifest, the source is ``"simulated"`` when the folder has a ``world.json``
        (written by ``toolkit simulate``), else ``"recorded"``.
        """
        folder = Path(folder)
        if (folder / "events").is_dir():  # partitioned: a folder of hive-style parts per table
            tables = {t: _scan(folder / t, parts, hive_partitioning=False)
                      for t in TABLES if (parts := table_parts(folder, t))}
            tables.update({t: _scan(folder / f"{t}.parquet", folder / f"{t}.parquet")
                           for t in TABLES
                           if t not in tables and (folder / f"{t}.parquet").is_file()})
            if "events" not in tables:
                raise FileNotFoundError(f"{folder / 'events'}: no parquet parts")
            _check_columns(folder / "events", tables["events"])
            if "replies" in tables:
                _check_columns(folder / "replies", tables["replies"], REPLIES_SCHEMA, "replies")
            source = "simulated" if (folder / "world.json").is_file() else "recorded"
        else:
            listed = listed_tables(folder)
            if listed is None:  # a folder a user assembled: every table found in it
                source = "simulated" if (folder / "world.json").is_file() else "recorded"
                files = {t: folder / f"{t}.parquet" for t in TABLES
                         if (folder / f"{t}.parquet").is_file()}
            else:  # only the tables its manifest lists, each checked
                source, files = listed[0], {t: p for t, p in listed[1].items() if t in TABLES}
                if source not in SOURCES:
                    raise ValueError(f"{folder / MANIFEST}: source {source!r} is not one of "
                                     f"{', '.join(SOURCES)}")
            if "events" not in files:
                raise FileNotFoundError(f"{folder}: no events.parquet (is this a dataset folder?)"
                                        if listed is None else f"{folder}: {MANIFEST} lists no "
                                        "events table (a run that loaded nothing?)")
            tables = {t: _scan(path, path) for t, path in files.items()}
            _check_columns(files["events"], tables["events"])
            if "replies" in tables:
                _check_columns(files["replies"], tables["replies"], REPLIES_SCHEMA, "replies")
        return cls(**tables, source=source, name=folder.name)

    def renamed(self, name: str) -> Dataset:
        """The same tables under another name (for tables that compare datasets)."""
        return replace(self, name=name)

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per dataset, then its stored result (tables several tests share,
        such as the minute panel or the session table)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[return-value]

    def has(self, *tables: str) -> bool:
        """Whether every table named is present (and, for platform tables, simulated)."""
        return all(
            getattr(self, t, None) is not None and (t not in _HIDDEN or self.source == "simulated")
            for t in tables
        )

    def table(self, name: str) -> pl.DataFrame:
        """Table ``name`` as a ``DataFrame`` (collected once, then kept)."""
        if name not in TABLES:
            raise ValueError(f"Dataset has no table {name!r}; the tables are {', '.join(TABLES)}")
        frame = getattr(self, name)
        if frame is None:
            raise ValueError(f"dataset {self.name!r} has no {name} table")
        return self.derived(f"table:{name}", frame.collect)

    def tables(self) -> dict[str, pl.LazyFrame]:
        """The tables present, by name (hidden ones too, whatever the source)."""
        return {t: getattr(self, t) for t in TABLES if getattr(self, t) is not None}


_PART_FOLDER = re.compile(r"batch=\d+")


def table_parts(folder: str | Path, table: str = "events") -> list[Path]:
    """The parts of ``table`` in a partitioned dataset folder, in order (empty if none).

    Only ``<table>/batch=<digits>/part.parquet`` counts: a copied or stray folder
    (``batch=00000 copy``) is an error, not a part, and when the folder's ``world.json``
    records how many batches it has, the parts must be that many.
    """
    folder = Path(folder)
    if not (folder / table).is_dir():
        return []
    parts, stray = [], []
    for entry in sorted((folder / table).iterdir()):
        if entry.is_dir() and _PART_FOLDER.fullmatch(entry.name) and (entry / "part.parquet").is_file():
            parts.append(entry / "part.parquet")
        elif not entry.name.startswith("."):
            stray.append(entry.name)
    if stray:
        raise ValueError(f"{folder / table}: {stray[0]!r} is not a part (expected batch=NNNNN/"
                         f"part.parquet only; {len(stray)} such entries)")
    try:
        expected = json.loads((folder / "world.json").read_text()).get("batches")
    except (OSError, ValueError, AttributeError):
        expected = None
    if isinstance(expected, int) and parts and len(parts) != expected:
        raise ValueError(f"{folder / table}: {len(parts)} parts, but world.json records "
                         f"{expected} batches")
    return parts


def _scan(name: Path, source: Path | list[Path], hive_partitioning: bool | None = None
          ) -> pl.LazyFrame:
    """A lazy scan of a table's parquet file(s), whose footer is read now: a file that is not
    parquet (random bytes, a cut-off copy) is refused naming it, not met later as a polars
    error deep inside a test."""
    frame = pl.scan_parquet(source, glob=False, hive_partitioning=hive_partitioning)
    try:
        frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{name}: not a readable parquet file ({reason})") from None
    return frame


def _check_columns(path: Path, events: pl.LazyFrame,
                  columns: dict[str, pl.DataType] = EVENTS_SCHEMA, table: str = "events") -> None:
    """Refuse an events file (or another table's, with its ``columns``) without the canonical
    columns, naming the file and column."""
    schema = events.collect_schema()
    for column, wanted in columns.items():
        if column not in schema:
            raise ValueError(f"{path}: no column {column!r} (the canonical {table} table has "
                             f"{', '.join(columns)}; see docs/data-dictionary.md)")
        found = schema[column]
        numeric = wanted.is_integer() and found.is_integer()
        same_kind = found.base_type() == wanted.base_type() or (
            column == "kind" and found in (pl.String, pl.Categorical))
        if not (numeric or same_kind):
            raise ValueError(f"{path}: column {column!r} is {found}, expected {wanted}")
