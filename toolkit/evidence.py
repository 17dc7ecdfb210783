"""What a claim test reads and what it returns: :class:`ClaimData` in, :class:`Evidence` out.

Every test of a claim (see :mod:`toolkit.claims`) is a function
``test(data: ClaimData, rng: numpy.random.Generator) -> Evidence``. ``ClaimData`` holds the
tables of one dataset: the canonical events (what any LIVE client records) and, when the data
come from the simulator, the tables only the platform knows (visibility, true viewer labels).
A test that needs a table the dataset lacks returns :func:`skipped` evidence that says which,
so the same registry runs on simulated data and on real recordings.

Verdicts (the words are fixed so that tables and tests can rely on them):

==================  ============================================================================
verdict             meaning
==================  ============================================================================
supported           the estimate points the claimed way and its test rejects "no effect"
not supported       the test does not reject "no effect" (absence of evidence, not evidence of
                    absence: see the power table)
contradicted        the test rejects "no effect" with the estimate pointing the other way
holds by the rules  an identity: the platform's accounting rules, checked on every row
what-if             a design claim, shown by computing the metric both ways
described           an association with no world in the model where it fails: the numbers
                    describe these data and test nothing
skipped             the data lack what the test needs (the note says what)
==================  ============================================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from toolkit.events import EVENTS_SCHEMA

T = TypeVar("T")

__all__ = ["VERDICTS", "ClaimData", "Evidence", "skipped", "verdict_from_test"]

VERDICTS: tuple[str, ...] = ("supported", "not supported", "contradicted", "holds by the rules",
                             "what-if", "described", "skipped")

_TABLES = ("events", "sessions", "platform", "viewers", "videos")


@dataclass(frozen=True)
class ClaimData:
    """The tables of one dataset, as lazy frames; ``None`` where the dataset has no such table.

    Attributes
    ----------
    events : polars.LazyFrame
        The canonical events table (:data:`toolkit.events.EVENTS_SCHEMA`).
    sessions : polars.LazyFrame or None
        One row per session (:data:`toolkit.sessions.SESSIONS_SCHEMA`); a recording has
        ``session_id``, ``creator_id``, ``start`` and ``followers`` at least.
    platform : polars.LazyFrame or None
        Per session-minute visibility, impressions, calls to action, strong moments: what only
        the platform knows (simulations only).
    viewers : polars.LazyFrame or None
        True viewer labels (bots, gifters, stays): simulations only.
    videos : polars.LazyFrame or None
        Regular-video views and likes per creator and day (creators-over-days simulations).
    source : str
        ``"simulated"`` or ``"recorded"``; tests that need platform knowledge skip on
        recordings even when a table of that name is present.
    name : str
        A label for tables and messages (the folder name, say).
    """

    events: pl.LazyFrame
    sessions: pl.LazyFrame | None = None
    platform: pl.LazyFrame | None = None
    viewers: pl.LazyFrame | None = None
    videos: pl.LazyFrame | None = None
    source: str = "simulated"
    name: str = "data"
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False,
                                        compare=False)

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per dataset, then its stored result (tables several tests share,
        such as the minute panel or the session table)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[return-value]

    def __post_init__(self) -> None:
        if self.source not in ("simulated", "recorded"):
            raise ValueError(f"source must be 'simulated' or 'recorded', got {self.source!r}")

    def has(self, *tables: str) -> bool:
        """Whether every table named is present (and, for platform tables, simulated)."""
        hidden = {"platform", "viewers"}
        return all(
            getattr(self, t) is not None and (t not in hidden or self.source == "simulated")
            for t in tables
        )

    @classmethod
    def from_folder(cls, folder: str | Path) -> ClaimData:
        """Read every ``<table>.parquet`` found in ``folder`` (``events.parquet`` is required).

        The source is ``"simulated"`` when the folder has a ``world.json`` (written by
        ``toolkit simulate``), else ``"recorded"``.
        """
        folder = Path(folder)
        if not (folder / "events.parquet").is_file():
            raise FileNotFoundError(f"{folder}: no events.parquet (is this a dataset folder?)")
        tables = {t: pl.scan_parquet(folder / f"{t}.parquet")
                  for t in _TABLES if (folder / f"{t}.parquet").is_file()}
        _check_events(folder / "events.parquet", tables["events"])
        source = "simulated" if (folder / "world.json").is_file() else "recorded"
        return cls(**tables, source=source, name=folder.name)

    @classmethod
    def from_simulation(cls, simulation: object, videos: pl.DataFrame | None = None,
                        name: str = "simulation") -> ClaimData:
        """Wrap a :class:`toolkit.simulate.Simulation` (and, optionally, its videos table)."""
        return cls(
            events=simulation.events.lazy(),  # type: ignore[attr-defined]
            sessions=simulation.sessions.lazy(),  # type: ignore[attr-defined]
            platform=simulation.platform.lazy(),  # type: ignore[attr-defined]
            viewers=simulation.viewers.lazy(),  # type: ignore[attr-defined]
            videos=None if videos is None else videos.lazy(),
            source="simulated", name=name,
        )


def _check_events(path: Path, events: pl.LazyFrame) -> None:
    """Refuse an events file without the canonical columns, naming the file and column."""
    schema = events.collect_schema()
    for column, wanted in EVENTS_SCHEMA.items():
        if column not in schema:
            raise ValueError(f"{path}: no column {column!r} (the canonical events table has "
                             f"{', '.join(EVENTS_SCHEMA)}; see docs/data-dictionary.md)")
        found = schema[column]
        numeric = wanted.is_integer() and found.is_integer()
        same_kind = found.base_type() == wanted.base_type() or (
            column == "kind" and found in (pl.String, pl.Categorical))
        if not (numeric or same_kind):
            raise ValueError(f"{path}: column {column!r} is {found}, expected {wanted}")


@dataclass(frozen=True)
class Evidence:
    """The result of testing one claim on one dataset.

    Attributes
    ----------
    claim : str
        Claim id, ``"C1"`` to ``"C26"`` (or a research question's id such as ``"R1"``).
    measure : str
        What ``estimate`` is, with its unit ("mean change in log joins per unit log hearts").
    estimate, low, high : float
        The estimate and its confidence interval (``nan`` when there is none).
    p_value : float or None
        Two-sided p-value of the test of "no effect", if the claim has one.
    n : int
        Units the estimate rests on (sessions, creators, minutes: the note says which).
    verdict : str
        One of :data:`VERDICTS`.
    note : str
        One sentence on what the result does and does not show.
    """

    claim: str
    measure: str
    estimate: float
    low: float
    high: float
    p_value: float | None
    n: int
    verdict: str
    note: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.p_value is not None and not (0.0 <= self.p_value <= 1.0 or math.isnan(self.p_value)):
            raise ValueError(f"p_value must be in [0, 1], got {self.p_value!r}")

    def as_dict(self) -> dict[str, object]:
        """The fields by name (for tables and JSON)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def skipped(claim: str, measure: str, why: str) -> Evidence:
    """Evidence for a test that cannot run on these data; ``why`` says what is missing."""
    nan = float("nan")
    return Evidence(claim, measure, nan, nan, nan, None, 0, "skipped", why)


def verdict_from_test(estimate: float, p_value: float, alpha: float = 0.05,
                      direction: int = 1) -> str:
    """``supported``, ``not supported`` or ``contradicted`` from a two-sided test.

    Parameters
    ----------
    estimate : float
        The effect; its sign is compared with ``direction``.
    p_value : float
        Two-sided p-value (adjusted for multiple tests where several are made).
    alpha : float
        Level of the test.
    direction : {1, -1}
        The sign the claim predicts.
    """
    if math.isnan(p_value) or p_value >= alpha:
        return "not supported"
    return "supported" if estimate * direction > 0 else "contradicted"
