"""A dataset folder's manifest: which tables belong to it, written last, checked on reading.

A command that writes a dataset folder (``toolkit simulate``, ``toolkit ingest``) writes every
file under a temporary name beside its own (:class:`Staging`) and, once all are written, marks
the folder as being written (``dataset.json`` with ``"complete": false``), moves them into
place, and writes ``dataset.json`` again, last, with each table's fingerprint (its size and a
hash of its last 64 KiB, where parquet keeps its footer: row counts, statistics and offsets of
every column chunk). :meth:`toolkit.events.Dataset.from_folder` reads only the tables the
manifest lists and checks each fingerprint, so

- a run interrupted while it works (Ctrl-C, a full disk, a kill) leaves the previous output as
  it was, readable; one interrupted during the few renames at the end is refused with one
  message, never read as a mix of new events and old sessions;
- a table written by another command, or changed since, is refused, naming it;
- a table of another kind lying in the folder (an old ``videos.parquet``, a simulation's
  hidden tables) is not read into the dataset.

A folder without ``dataset.json`` is one a user assembled (or an older version wrote): every
``<table>.parquet`` in it is read, as before. Each write is atomic; the folder as a whole is
checked, not swapped, so files the command did not create stay where they are.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import polars as pl

__all__ = ["MANIFEST", "FORMAT", "fingerprint", "begin", "finish", "listed_tables",
           "atomic_file", "write_report_csv", "written_by", "refuse_foreign", "Staging", "staging"]

#: The manifest's file name inside a dataset folder.
MANIFEST = "dataset.json"
#: Its format tag.
FORMAT = "toolkit-dataset/1"
_TAIL = 65536


def fingerprint(path: Path) -> dict[str, object]:
    """``bytes`` (the file's size) and ``tail_sha256`` (of its last 64 KiB)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - _TAIL))
        tail = handle.read()
    return {"bytes": size, "tail_sha256": hashlib.sha256(tail).hexdigest()}


def _refuse_special(target: Path) -> None:
    """Refuse a target that exists and is not a regular file (a folder, a device such as
    ``/dev/null``, a FIFO): renaming onto it would replace it."""
    if target.exists() and not target.is_file():
        raise ValueError(f"{target}: exists and is not a regular file (a folder, device or "
                         "FIFO); give the name of a file to write")


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to; renamed onto ``target`` only when the
    block ends without an error (removed otherwise), so ``target`` is never half written.
    A ``target`` that exists and is not a regular file (a folder, a device such as
    ``/dev/null``, a FIFO) is refused: the rename would replace it."""
    _refuse_special(target)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


#: Text a spreadsheet would run as a formula: a cell starting with =, +, -, @, a tab or a
#: carriage return, unless it is a plain number (-3, +1.5e2).
_FORMULA = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?[0-9]*\.?[0-9]+([eE][+-]?[0-9]+)?$"


def write_report_csv(frame: pl.DataFrame, target: Path, partial: Path | None = None) -> Path:
    """Write a table of rejected rows as CSV, atomically (or to ``partial``, a
    :meth:`Staging.path`), with every text cell that a spreadsheet would run as a formula
    written with a leading apostrophe (``'=HYPERLINK(...)``): the values come from untrusted
    files, and the CSV is meant to be opened."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    safe = frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA) & ~pl.col(name).str.contains(_NUMBER))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text)
    if partial is not None:
        safe.write_csv(partial)
        return target
    with atomic_file(target) as temporary:
        safe.write_csv(temporary)
    return target


def _write(folder: Path, content: dict[str, object]) -> Path:
    target = folder / MANIFEST
    with atomic_file(target) as partial:
        partial.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    return target


class Staging:
    """The files of one output, written under temporary names beside their own and moved into
    place together by :meth:`commit`, once all the work is done.

    A run interrupted before the commit (Ctrl-C, a full disk, a kill) leaves the previous
    output as it was, manifest and all, and readable; one interrupted during the commit's few
    renames leaves a manifest that says the folder is being written, and readers refuse it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[Path, Path] = {}

    def path(self, name: str) -> Path:
        """The temporary path to write the file ``name`` of the folder to."""
        target = self.folder / name
        _refuse_special(target)
        temporary = self.folder / f".{name}.partial-{os.getpid()}"
        self._files[target] = temporary
        return temporary

    def commit(self, source: str, command: str, tables: Mapping[str, Path]) -> Path:
        """Move every file into place, then write the manifest listing ``tables`` (name ->
        final path), last."""
        begin(self.folder, source, command)
        for target, temporary in self._files.items():
            os.replace(temporary, target)
        self._files.clear()
        return finish(self.folder, source, command, tables)

    def discard(self) -> None:
        """Remove the temporary files not committed (nothing else)."""
        for temporary in self._files.values():
            temporary.unlink(missing_ok=True)
        self._files.clear()


@contextmanager
def staging(folder: Path) -> Iterator[Staging]:
    """A :class:`Staging` for ``folder``, whose uncommitted files are removed on the way out."""
    stage = Staging(folder)
    try:
        yield stage
    finally:
        stage.discard()


def begin(folder: Path, source: str, command: str) -> Path:
    """Mark ``folder`` as being written (before any table of it is touched)."""
    return _write(folder, {"format": FORMAT, "complete": False, "source": source,
                           "command": command, "tables": {}})


def finish(folder: Path, source: str, command: str, tables: Mapping[str, Path]) -> Path:
    """Mark ``folder`` complete with these tables (``name -> path`` inside it), last."""
    listed = {name: {"file": path.name, **fingerprint(path)}
              for name, path in sorted(tables.items())}
    return _write(folder, {"format": FORMAT, "complete": True, "source": source,
                           "command": command, "tables": listed})


def written_by(folder: Path) -> str | None:
    """The command named in the folder's manifest (complete or not); None without one, or
    with one that cannot be read."""
    try:
        content = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    command = content.get("command") if isinstance(content, dict) else None
    return command if isinstance(command, str) else None


def refuse_foreign(folder: Path, command: str, files: Iterable[str], marker: str,
                   keys: Iterable[str]) -> None:
    """Refuse to write ``files`` into ``folder`` when some are there and were not written by
    ``command``: its manifest names another command, or it has none and no ``marker`` (a
    JSON object with these ``keys``, as ``command`` wrote before manifests). Nothing a
    command did not create is replaced."""
    if not folder.is_dir():
        return
    present = [name for name in (*files, MANIFEST) if (folder / name).exists()]
    writer = written_by(folder)
    ours = (writer is not None and writer.startswith(command)) or (
        writer is None and _has_keys(folder / marker, keys))
    if present and not ours:
        made = f"written by {writer}" if writer else f"not written by {command}"
        raise ValueError(f"{folder} holds {', '.join(present)} {made}: {command} writes into "
                         "a new or empty folder, or one it wrote before (nothing else is "
                         "overwritten); choose another --out")


def _has_keys(path: Path, keys: Iterable[str]) -> bool:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(content, dict) and all(key in content for key in keys)


def listed_tables(folder: Path) -> tuple[str, dict[str, Path]] | None:
    """The source and tables (``name -> path``) the folder's manifest lists, each checked
    against its fingerprint; None when the folder has no manifest.

    Raises
    ------
    ValueError
        The manifest is unreadable, says the folder was not completely written, or a table it
        lists is missing or is not the file it lists (changed, or written by another run).
    """
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a readable manifest ({error})") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} manifest")
    command = content.get("command") or "the command that wrote it"
    if content.get("complete") is not True:
        raise ValueError(f"{folder}: its writing was interrupted ({MANIFEST} says it is "
                         f"incomplete); run {command} again")
    tables = content.get("tables")
    if not isinstance(tables, dict):
        raise ValueError(f"{path}: 'tables' should be an object")
    out: dict[str, Path] = {}
    for name, entry in tables.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) \
                or Path(entry["file"]).name != entry["file"]:
            raise ValueError(f"{path}: table {name!r} has no file name")
        table = folder / entry["file"]
        if not table.is_file():
            raise ValueError(f"{table}: listed in {MANIFEST} but missing; run {command} again")
        if fingerprint(table) != {k: entry.get(k) for k in ("bytes", "tail_sha256")}:
            raise ValueError(f"{table}: not the table {MANIFEST} lists (changed, or written by "
                             f"another run); run {command} again")
        out[name] = table
    source = content.get("source")
    return (source if isinstance(source, str) else "recorded"), out
