"""The canonical tables everything meets at, and the one container of a dataset's tables.

Modules:

- :mod:`toolkit.events.schema`: the events table: kinds, columns and types, ``validate()``
- :mod:`toolkit.events.reading`: reading an events CSV with a quarantine of bad rows; the
  hand-made example LIVE
- :mod:`toolkit.events.dataset`: ``Dataset``: the tables of one dataset, from a folder, a
  simulation or an ingest

The names below are the public API; import them from here.
"""

from __future__ import annotations

from toolkit.events.dataset import REPLIES_SCHEMA, SOURCES, TABLES, Dataset
from toolkit.events.reading import LoadResult, example_session, read_events_csv
from toolkit.events.schema import EVENTS_SCHEMA, KINDS, EventKind, empty_events, validate

__all__ = [
    "KINDS",
    "EventKind",
    "EVENTS_SCHEMA",
    "empty_events",
    "validate",
    "LoadResult",
    "read_events_csv",
    "example_session",
    "Dataset",
    "TABLES",
    "REPLIES_SCHEMA",
    "SOURCES",
]
