"""Recordings of real LIVEs into the canonical tables, and synthetic recordings.

Modules:

- :mod:`toolkit.recordings.methods`: the table of TikTok webcast method names and what each becomes
- :mod:`toolkit.recordings.wire`: the protobuf wire format of the dozen fields the tables use
- :mod:`toolkit.recordings.formats`: one record of each client format as a typed message, or a
  ``Rejected``
- :mod:`toolkit.recordings.files`: one file's records (JSON Lines or a Java collector's
  document, gzip or not), each a message or a rejection, never the whole file
- :mod:`toolkit.recordings.counting`: the counting rules: sessions, duplicates, gift streaks,
  hearts, viewers
- :mod:`toolkit.recordings.pseudonyms`: salted HMAC pseudonyms and the salt file
- :mod:`toolkit.recordings.reader`: ``ingest()``: files in, tables out, rows read = loaded +
  rejected
- :mod:`toolkit.recordings.recorder`: ``toolkit record`` with tiktoklive (the optional
  ``record`` extra)
- :mod:`toolkit.recordings.writers`: messages written in the three formats (the mirror of
  ``formats``)
- :mod:`toolkit.recordings.synthetic`: simulated LIVEs written as the messages TikTok sends, and
  their truth
- :mod:`toolkit.recordings.delivery`: ``as_recorded()``: a simulated dataset as a recording of
  it would read (the measurement pipeline in memory, for the diagnosis)

The names below are the public API; the other modules are reached by name
(``from toolkit.recordings import writers``).
"""

from __future__ import annotations

from toolkit.recordings.pseudonyms import SALT_BYTES, pseudonyms, read_salt
from toolkit.recordings.reader import (
    MESSAGES_SCHEMA,
    REJECTED_SCHEMA,
    FileReport,
    IngestReport,
    IngestResult,
    first_records,
    ingest,
    summary_lines,
    write,
)
from toolkit.recordings.synthetic import (
    MAX_TAPS_PER_MESSAGE,
    Delivery,
    bundled_files,
    bundled_truth,
    compare_with_truth,
    wire_messages,
    write_bundle,
)

__all__ = [
    "IngestResult",
    "IngestReport",
    "FileReport",
    "ingest",
    "write",
    "first_records",
    "summary_lines",
    "REJECTED_SCHEMA",
    "MESSAGES_SCHEMA",
    "wire_messages",
    "Delivery",
    "write_bundle",
    "compare_with_truth",
    "bundled_files",
    "bundled_truth",
    "MAX_TAPS_PER_MESSAGE",
    "read_salt",
    "pseudonyms",
    "SALT_BYTES",
]
