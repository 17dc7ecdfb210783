"""Synthetic recordings: simulated LIVEs written in the real clients' recording formats.

No public recording of a whole TikTok LIVE exists (``docs/recording.md``), and real ones
hold viewers' personal data, so the bundled example is made here: sessions from the simulator
are turned into the *messages* TikTok would send, with the habits that make counting hard,
and written in the three formats ``toolkit ingest`` reads. Because we know the true events,
the bundle also tests the ingester: its totals must come back (``tests/recordings/test_synthetic.py``).

What the messages imitate (the clients' schemas, summed up in ``docs/ingest.md``):

- hearts arrive in like messages of at most 15 taps, each with the room's running total; on
  busy LIVEs some per-user like messages are never delivered (here: a share
  ``min(0.5, (viewers - 20) / 100)`` of them), while the running total counts every tap;
- a streakable gift sends one message per gift in the streak, with a rising
  ``repeat_count`` under one ``group_id``, then a final one with ``repeat_end = 1``; 5 % of
  final messages are lost; other gifts send one message per gift;
- a follow is a social message (action 1) carrying the creator's new follower total; a share
  is action 3; joins are member messages; viewer counts come once a minute;
- messages reach the client 0.1-2 s late, so the file order is not the server's order, and
  1 % of messages are delivered twice.

These are assumptions of the generator, not facts about any real LIVE: the bundle shows what
the ingester does with such data, not what real LIVEs look like.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import polars as pl

from toolkit import _paths
from toolkit._checks import Interval, Rule, check_fields
from toolkit.analytics.summary import live_summary
from toolkit.events.schema import EventKind
from toolkit.money import reference
from toolkit.recordings.writers import (
    write_connector,
    write_java_collector,
    write_toolkit_live,
)

__all__ = [
    "wire_messages", "write_bundle", "compare_with_truth", "bundled_files", "bundled_truth",
    "MAX_TAPS_PER_MESSAGE", "Delivery",
]

MAX_TAPS_PER_MESSAGE = 15


@dataclass(frozen=True)
class Delivery:
    """How messages reach a LIVE client: the generator's habits (assumptions, not measurements).

    Parameters
    ----------
    like_loss_from : float
        Viewers in the room above which per-user like messages start to be lost.
    like_loss_scale : float
        Viewers above ``like_loss_from`` at which the share lost would reach 1 (100: one
        per cent more per viewer).
    like_loss_max : float
        Largest share of like messages lost (a busy LIVE).
    streak_end_loss : float
        Share of gift streaks whose final message (``repeat_end = 1``) is lost.
    repeated : float
        Share of messages delivered twice (5 s later).

    The defaults are the bundle's: a share ``max(0, min(0.5, (viewers - 20) / 100))`` of like
    messages lost, 5 % of streak ends, 1 % of messages repeated. ``Delivery(like_loss_max=0)``
    loses no like message: the recording then differs from the events only by the 15-tap
    messages, the gift streaks, delays, repeats and minute viewer counts.
    """

    like_loss_from: float = 20.0
    like_loss_scale: float = 100.0
    like_loss_max: float = 0.5
    streak_end_loss: float = 0.05
    repeated: float = 0.01

    RULES: ClassVar[dict[str, Rule]] = {
        "like_loss_from": Interval(0, None), "like_loss_scale": Interval(0, None, "neither"),
        "like_loss_max": Interval(0, 1), "streak_end_loss": Interval(0, 1),
        "repeated": Interval(0, 1),
    }

    def __post_init__(self) -> None:
        check_fields(self)
_COMMENTS = ("hi!", "love this 😍", "where are you from?", "🔥🔥🔥", "hello from Lisbon",
             "can you say hi to me?", "wow", "ça va ?", "すごい", "first time here")
_NAMES = ("Ana 🌸", "Ben", "Chloé", "Dmitri", "Eun-ji ✨", "Femi", "Gus", "Hana", "Ivo 🎸",
          "Jade")


def wire_messages(events: pl.DataFrame, sessions: pl.DataFrame,
                  rng: np.random.Generator, delivery: Delivery = Delivery(),
                  replies: pl.DataFrame | None = None) -> pl.DataFrame:
    """The messages a LIVE client would receive for these canonical events.

    Parameters
    ----------
    events : polars.DataFrame
        Canonical events (:data:`toolkit.events.EVENTS_SCHEMA`) of some sessions.
    sessions : polars.DataFrame
        Their sessions table (``session_id``, ``creator_id``, ``followers``).
    rng : numpy.random.Generator
        Every random choice (ids, delays, lost and repeated messages). The draws do not
        depend on ``delivery``, so two deliveries of the same seed lose nested sets of
        messages.
    delivery : Delivery
        The shares of messages lost and repeated.
    replies : polars.DataFrame, optional
        The host's replies by name (:data:`toolkit.events.REPLIES_SCHEMA`): each becomes a chat
        message of the host (``is_host`` 1, the streamer's handle) that @-mentions the viewer
        (``at_user_id``, ``at_unique_id``). Without replies, the draws are those of a dataset
        that has none.

    Returns
    -------
    polars.DataFrame
        One row per delivered message, in the order the client receives them: ``session_id``,
        ``method``, ``kind``, ``msg_id``, ``room_id``, ``streamer``, ``create_time_ms``,
        ``received_ms``, ``user_id``, ``unique_id``, ``nickname``, ``count``, ``total``,
        ``gift_id``, ``gift_name``, ``diamond_count``, ``gift_type``, ``repeat_count``,
        ``repeat_end``, ``group_id``, ``action``, ``display_key``, ``follow_count``,
        ``member_count``, ``total_user``, ``content``, ``is_host``, ``at_user_id``,
        ``at_unique_id``.
    """
    events = events.sort("session_id", "ts").with_row_index("_e")
    ids = _identities(events, sessions, rng)
    viewers_now = events.filter(pl.col("kind") == "viewers").select(
        "session_id", "ts", _now=pl.col("count"))
    base = (
        events.join(ids["rooms"], on="session_id")
        .join(ids["users"], on="user_id", how="left")
        .join_asof(viewers_now, on="ts", by="session_id", strategy="backward",
                   check_sortedness=False)
        .with_columns(pl.col("_now").fill_null(0), t0=pl.col("ts").dt.epoch("ms"))
    )
    parts = [_hearts(base, rng, delivery), _gifts(base, rng, delivery), _simple(base, rng)]
    if replies is not None and replies.height:
        parts.append(_host_replies(replies, ids, events.height))
    # sorted by the session's rank (``_s``: the order of the ids, as numbers: faster than text)
    messages = pl.concat(parts, how="diagonal_relaxed").sort("_s", "create_time_ms", "_e",
                                                              "_step")
    n = messages.height
    delay = np.round(np.exp(rng.normal(np.log(400.0), 0.6, n))).astype(np.int64)
    messages = messages.with_columns(
        msg_id=pl.Series(rng.choice(10**18, n, replace=False) + 7 * 10**18),
        received_ms=pl.col("create_time_ms") + pl.Series(delay).clip(100, 2000),
    )
    again = messages.filter(pl.Series(rng.random(n) < delivery.repeated)).with_columns(
        pl.col("received_ms") + 5000)
    return (pl.concat([messages, again]).sort("_s", "received_ms", "_e", "_step")
            .drop("_s", "_e", "_step", "_now", "t0", "ts", "coins", strict=False))


def _identities(events: pl.DataFrame, sessions: pl.DataFrame,
                rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    users = events["user_id"].drop_nulls().unique().sort()
    k = users.len()
    rooms = sessions.select("session_id", "creator_id", "followers").sort("session_id")
    return {
        "users": pl.DataFrame({
            "user_id": users,
            "_uid": rng.choice(10**17, k, replace=False) + 6 * 10**18,
            "unique_id": "viewer_" + pl.Series(rng.permutation(k)).cast(pl.String).str.zfill(5),
            "nickname": pl.Series(_NAMES).gather(rng.integers(0, len(_NAMES), k)),
        }),
        "rooms": rooms.with_columns(
            room_id=pl.Series(rng.choice(10**17, rooms.height, replace=False) + 73 * 10**17),
            streamer="creator_" + pl.col("creator_id").str.slice(1),
            _s=pl.int_range(pl.len(), dtype=pl.Int64),  # the rank of the session id
        ).drop("creator_id"),
    }


def _hearts(base: pl.DataFrame, rng: np.random.Generator, delivery: Delivery) -> pl.DataFrame:
    hearts = base.filter(pl.col("kind") == "heart").with_columns(
        _parts=(pl.col("count") + MAX_TAPS_PER_MESSAGE - 1) // MAX_TAPS_PER_MESSAGE)
    split = hearts.with_columns(_step=pl.int_ranges(0, "_parts")).explode("_step").with_columns(
        count=pl.min_horizontal(pl.lit(MAX_TAPS_PER_MESSAGE),
                                pl.col("count") - MAX_TAPS_PER_MESSAGE * pl.col("_step")),
        create_time_ms=pl.col("t0") + 150 * pl.col("_step"),
    ).with_columns(total=pl.col("count").cum_sum().over("session_id"))
    drop = ((split["_now"].cast(pl.Float64) - delivery.like_loss_from)
            / delivery.like_loss_scale).clip(0.0, delivery.like_loss_max).to_numpy()
    return split.filter(pl.Series(rng.random(split.height) >= drop)).select(
        *_common(), "count", "total")


def _gifts(base: pl.DataFrame, rng: np.random.Generator, delivery: Delivery) -> pl.DataFrame:
    catalogue = reference.gift_catalogue().select("gift_id", gift_name="name",
                                                  gift_type="gift_type")
    gifts = base.filter(pl.col("kind") == "gift").join(catalogue, on="gift_id", how="left")
    gifts = gifts.with_columns(diamond_count=pl.col("coins") // pl.col("count"))
    streaks = gifts.filter(pl.col("gift_type") == 1)
    taps = streaks.with_columns(_step=pl.int_ranges(1, pl.col("count") + 2)).explode("_step")
    taps = taps.with_columns(
        repeat_count=pl.min_horizontal("_step", "count"),
        repeat_end=(pl.col("_step") > pl.col("count")).cast(pl.Int64),
        group_id=pl.col("t0"),
        create_time_ms=pl.col("t0") + 300 * (pl.col("_step") - 1),
    )
    lost = (taps["repeat_end"] == 1).to_numpy() & (rng.random(taps.height)
                                                   < delivery.streak_end_loss)
    taps = taps.filter(pl.Series(~lost))
    singles = gifts.filter(pl.col("gift_type") != 1).with_columns(
        _step=pl.int_ranges(0, "count")).explode("_step").with_columns(
        repeat_count=pl.lit(1, pl.Int64), repeat_end=pl.lit(0, pl.Int64),
        group_id=pl.lit(0, pl.Int64), create_time_ms=pl.col("t0") + 1000 * pl.col("_step"))
    columns = [*_common(), "gift_id", "gift_name", "diamond_count", "gift_type",
               "repeat_count", "repeat_end", "group_id"]
    return pl.concat([taps.select(columns), singles.select(columns)])


def _simple(base: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    kind = pl.col("kind")
    rows = base.filter(kind.is_in(["join", "comment", "share", "follow", "viewers"]))
    follows = (kind == "follow").cast(pl.Int64).cum_sum().over("session_id")
    joins = (kind == "join").cast(pl.Int64).cum_sum().over("session_id")
    picks = rng.integers(0, len(_COMMENTS), rows.height)
    return rows.with_columns(
        create_time_ms=pl.col("t0"), _step=pl.lit(0, pl.Int64),
        action=pl.when(kind == "follow").then(1).when(kind == "share").then(3)
        .when(kind == "join").then(1),
        display_key=pl.when(kind == "follow").then(pl.lit("pm_main_follow_message_viewer_2"))
        .when(kind == "share").then(pl.lit("pm_mt_guidance_share")),
        follow_count=pl.when(kind == "follow").then(pl.col("followers") + follows),
        member_count=pl.when(kind == "join").then(pl.col("_now")),
        total=pl.when(kind == "viewers").then(pl.col("count")),
        total_user=pl.when(kind == "viewers").then(joins),
        content=pl.when(kind == "comment").then(
            pl.Series([_COMMENTS[i] for i in picks], dtype=pl.String)),
    ).select(*_common(), "action", "display_key", "follow_count", "member_count", "total",
             "total_user", "content")


def _host_replies(replies: pl.DataFrame, ids: dict[str, pl.DataFrame], after: int
                  ) -> pl.DataFrame:
    """The host's chat messages that answer a viewer by name (no draws: the replies' times
    are the simulator's)."""
    users = ids["users"].select("user_id", at_user_id="_uid", at_unique_id="unique_id")
    return (replies.sort("session_id", "ts").with_row_index("_e", offset=after)
            .join(ids["rooms"], on="session_id").join(users, on="user_id", how="left")
            .select("session_id", "_s", "_e", _step=pl.lit(0, pl.Int64),
                    kind=pl.lit("comment").cast(EventKind), room_id="room_id",
                    streamer="streamer", create_time_ms=pl.col("ts").dt.epoch("ms"),
                    user_id=pl.col("room_id") - 23 * 10**17, unique_id="streamer",
                    nickname=pl.lit("the host"), is_host=pl.lit(1, pl.Int64),
                    at_user_id="at_user_id", at_unique_id="at_unique_id",
                    content="@" + pl.col("at_unique_id") + " thank you!"))


def _common() -> list[str | pl.Expr]:
    return ["session_id", "_s", "_e", "_step", "kind", "room_id", "streamer", "create_time_ms",
            pl.col("_uid").alias("user_id"), "unique_id", "nickname"]


#: Sessions of the bundled example and how they are written (``data/recorded/``).
BUNDLE_SESSIONS = 16
BUNDLE_WORLD = "baseline"


def write_bundle(out: str | Path, seed: int) -> dict[str, Path]:
    """Write the bundled example recordings: 16 simulated LIVEs of the baseline world.

    Twelve are ``toolkit record`` files (``live-01.jsonl.gz`` ...), one each a
    ``tiktok-live-connector`` v1 and v2 dump, and two share one Java collector file (two rooms
    in one file). ``truth/`` keeps the simulator's own events and sessions, to compare what an
    ingest recovers with what happened.

    Parameters
    ----------
    out : str or Path
        Folder to write (made if missing; files of the same names are replaced).
    seed : int
        Seeds one ``numpy.random.Generator`` for the simulation, then one for the messages.
    """
    from toolkit.simulation.engine import simulate
    from toolkit.simulation.worlds import world

    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    streams = np.random.default_rng(seed).spawn(2)
    simulation = simulate(world(BUNDLE_WORLD), BUNDLE_SESSIONS, streams[0])
    messages = wire_messages(simulation.table("events"), simulation.table("sessions"), streams[1])
    ids = sorted(simulation.table("sessions")["session_id"].to_list())
    paths: dict[str, Path] = {}

    def of(*chosen: str) -> pl.DataFrame:
        return messages.filter(pl.col("session_id").is_in(list(chosen)))

    for number, session in enumerate(ids[:12], start=1):
        paths[f"live-{number:02d}"] = write_toolkit_live(of(session),
                                                         out / f"live-{number:02d}.jsonl.gz")
    paths["connector-v1"] = write_connector(of(ids[12]), out / "connector-v1.jsonl", "v1")
    paths["connector-v2"] = write_connector(of(ids[13]), out / "connector-v2.jsonl.gz", "v2",
                                            gz=True)
    paths["java-collector"] = write_java_collector(of(ids[14], ids[15]),
                                                   out / "java-collector.json")
    for name in ("events", "sessions"):
        path = out / "truth" / f"{name}.parquet"
        simulation.table(name).write_parquet(path, compression_level=15)
        paths[f"truth-{name}"] = path
    return paths


def bundled_files() -> list[Path]:
    """The bundled example recordings (``data/recorded/``), sorted by name."""
    folder = _paths.data_dir() / "recorded"
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".md")


def bundled_truth() -> tuple[pl.DataFrame, pl.DataFrame]:
    """The simulator's own events and sessions behind the bundled recordings."""
    folder = _paths.data_dir() / "recorded" / "truth"
    return (pl.read_parquet(folder / "events.parquet"),
            pl.read_parquet(folder / "sessions.parquet"))


def compare_with_truth(events: pl.DataFrame, sessions: pl.DataFrame,
                       truth_events: pl.DataFrame, truth_sessions: pl.DataFrame) -> pl.DataFrame:
    """The LIVE summary of an ingested recording beside the simulator's own, per session.

    Sessions are matched on their start minute. Returns the columns of
    :func:`toolkit.analytics.summary.live_summary` for the recording (plus ``hearts_room`` and
    ``hearts_room_total`` from its sessions table), the true ones with the suffix ``_true``,
    and ``start``.
    """
    ours = live_summary(events).join(
        sessions.select("session_id", "start", "hearts_room", "hearts_room_total"),
        on="session_id")
    theirs = live_summary(truth_events).join(truth_sessions.select("session_id", "start"),
                                             on="session_id")
    return ours.join(theirs, on="start", suffix="_true", how="full", coalesce=True).sort(
        "start")


if __name__ == "__main__":  # python -m toolkit.recordings.synthetic OUT SEED  (see the Makefile)
    import sys

    for written in write_bundle(sys.argv[1], int(sys.argv[2])).values():
        print(written)
