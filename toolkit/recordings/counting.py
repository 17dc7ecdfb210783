"""The counting rules that turn a recording's messages into the canonical events table.

The open-source LIVE clients pass on what TikTok sends, and what TikTok sends is easy to
count wrongly (see ``docs/ingest.md``). The rules, each with a test:

- **Gift streaks.** A streakable gift (``gift_type == 1``, e.g. a Rose) sends one message per
  tap, each with the running ``repeat_count`` under one ``group_id``, then a final message with
  ``repeat_end == 1``. A streak is keyed by (user, gift, group id) and counted once, with the
  *highest* repeat count, so a streak whose final message was lost still counts. Its time is
  its last message's. Other gifts count once per message. Coins = price of one gift x gifts.
- **Duplicates.** A message id read twice (a client re-sending its backlog, a file ingested
  twice) is kept once; the copies are rejected as ``duplicate message``.
- **Follows.** ``tiktoklive`` reports a follow as a follow *and* a social event (same message
  id); besides, a viewer's follows of one LIVE count once.
- **Hearts.** Each like message is one ``heart`` row (taps in that batch, per user). TikTok
  samples these on big LIVEs, so the sessions table also keeps the room's running total:
  ``hearts_room`` (hearts during the recording) beside ``hearts_batches``.
- **Viewers.** Viewer-count messages (current ``total``, cumulative ``total_user``) become one
  ``viewers`` row per minute: the last count at or before each minute mark.
- **The host's chat.** A chat message the host wrote (``user_identity.is_anchor``, or the
  author's handle is the streamer's) is not a viewer's comment; when it @-mentions a viewer
  (``at_user``) it is a *reply* to that viewer, a row of the replies table (claim C9).
- **Time.** ``ts`` is the server's time (``create_time``, UTC); when a record has none, its
  receive time is used and the message says so (``time_source``). Records out of order are
  sorted by server time and counted.

All of it is vectorised polars on the messages table.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import polars as pl

from toolkit.events.schema import EVENTS_SCHEMA, EventKind
from toolkit.money import reference
from toolkit.recordings.methods import (
    CHAT,
    CONTROL,
    GIFT,
    LIKE,
    MARKER_METHODS,
    MEMBER,
    ROOM_USER_SEQ,
    SOCIAL,
    WITH_USER,
)

__all__ = [
    "LIMITS", "SILENCE", "check_messages", "count", "events_from", "sessions_from",
    "replies_from",
    "gifts_seen", "gift_coins_compared", "rule_counts", "describe_rules",
]

#: Largest values taken as real; anything above is rejected as an ``absurd value``.
LIMITS = {
    "hearts in one like message": 10_000,        # real batches hold at most about 15 taps
    "gifts in one streak": 100_000,
    "coin price of one gift": 100_000,           # the dearest gifts cost about 45,000 coins
    "viewers watching at once": 100_000_000,
    "viewers over a LIVE": 10_000_000_000,
}
EARLIEST = dt.datetime(2016, 9, 1, tzinfo=dt.UTC)  # TikTok launched in September 2016
#: Without a room id, a silence this long between records starts a new session.
SILENCE = dt.timedelta(minutes=30)
SILENCE_MS = int(SILENCE.total_seconds() * 1000)


def _catalogue_price() -> pl.Expr:
    """The gift catalogue's coin price of each row's ``gift_id`` (null for an unknown id)."""
    catalogue = reference.gift_catalogue()
    return pl.col("gift_id").replace_strict(catalogue["gift_id"], catalogue["coins"],
                                            default=None, return_dtype=pl.Int64)


def _ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def check_messages(messages: pl.DataFrame, now: dt.datetime) -> tuple[pl.DataFrame,
                                                                        pl.DataFrame]:
    """Split messages into those that pass the value checks and the rejected rest.

    Checks, first failure wins: negative counts, absurd values (:data:`LIMITS`), no time at
    all, a time before TikTok existed or after ``now``, a user event without a user, a gift
    without an id (or a negative one), a gift whose price is neither in the message nor in
    the gift catalogue, a like without a count or of 0 taps.

    Returns
    -------
    (checked, rejected)
        ``checked`` gains ``ts_ms`` (server time, else receive time), ``time_source`` and
        ``diamond_count`` filled from the catalogue; ``rejected`` has the rejected columns.
    """
    method = pl.col("method")
    price = _catalogue_price()
    frame = messages.with_columns(
        ts_ms=pl.coalesce("create_time_ms", "received_ms"),
        time_source=pl.when(pl.col("create_time_ms").is_not_null()).then(pl.lit("server"))
        .when(pl.col("received_ms").is_not_null()).then(pl.lit("receive")),
        diamond_count=pl.coalesce("diamond_count", price),
        _has_user=pl.col("user_id").is_not_null() | pl.col("unique_id").is_not_null(),
    )
    negatives = [(pl.col(c) < 0, c, "negative count", "must not be negative")
                 for c in ("count", "total", "repeat_count", "diamond_count", "total_user",
                           "member_count", "follow_count", "share_count", "gift_id")]
    absurd = [
        ((method == LIKE) & (pl.col("count") > LIMITS["hearts in one like message"]),
         "count", "hearts in one like message"),
        (pl.col("repeat_count") > LIMITS["gifts in one streak"], "repeat_count",
         "gifts in one streak"),
        (pl.col("diamond_count") > LIMITS["coin price of one gift"], "diamond_count",
         "coin price of one gift"),
        ((method == ROOM_USER_SEQ) & (pl.col("total") > LIMITS["viewers watching at once"]), "total",
         "viewers watching at once"),
        (pl.col("member_count") > LIMITS["viewers watching at once"], "member_count",
         "viewers watching at once"),
        (pl.col("total_user") > LIMITS["viewers over a LIVE"], "total_user",
         "viewers over a LIVE"),
    ]
    rules = negatives + [(mask, c, "absurd value", f"more {what} than {LIMITS[what]:,}")
                         for mask, c, what in absurd] + [
        (pl.col("ts_ms").is_null() & ~method.is_in(MARKER_METHODS), "create_time_ms",
         "missing field", "no server time and no receive time"),
        ((pl.col("ts_ms") < _ms(EARLIEST)) | (pl.col("ts_ms") > _ms(now)), "create_time_ms",
         "time out of range", f"not between {EARLIEST:%Y-%m-%d} and {now:%Y-%m-%d}"),
        (method.is_in(WITH_USER) & ~pl.col("_has_user"), "user", "missing field",
         "this event needs the user who made it"),
        ((method == GIFT) & pl.col("gift_id").is_null(), "gift_id", "missing field",
         "a gift needs its id"),
        ((method == GIFT) & pl.col("diamond_count").is_null(), "gift_id", "unknown gift",
         "no price in the message and not in data/reference/gift_catalogue.csv"),
        ((method == LIKE) & pl.col("count").is_null(), "count", "missing field",
         "a like message needs its count"),
        ((method == LIKE) & (pl.col("count") == 0), "count", "absurd value",
         "a like message carries at least one tap"),
    ]

    def first(pick: int) -> pl.Expr:
        """The rule's field (1), reason (2), detail (3) or the value at fault (0)."""
        expr = pl.lit(None, dtype=pl.String)
        for rule in reversed(rules):
            if pick:
                value = pl.lit(rule[pick])
            elif rule[1] in frame.columns:
                value = pl.col(rule[1]).cast(pl.String)
            else:
                value = pl.lit("")
            expr = pl.when(rule[0].fill_null(False)).then(value).otherwise(expr)
        return expr

    flagged = frame.with_columns(_field=first(1), reason=first(2), detail=first(3),
                                 value=first(0))
    bad = pl.col("reason").is_not_null()
    rejected = flagged.filter(bad).select(
        "file", "line", "item", pl.col("_field").alias("field"),
        pl.col("value").fill_null(""), "reason", "detail")
    checked = flagged.filter(~bad).drop("_field", "reason", "detail", "value", "_has_user")
    return checked, rejected


class Counted(NamedTuple):
    """Loaded messages (with ``session_id``, ``user``, ``kind``, ``ts``) and the duplicates."""

    messages: pl.DataFrame
    duplicates: pl.DataFrame


def count(checked: pl.DataFrame, timezone: str = "UTC",
          file_keys: dict[str, str] | None = None) -> Counted:
    """Sessions, users, canonical kinds and times for checked messages; duplicates set aside.

    A session is a LIVE room: the message's room id, else one given elsewhere in its file by
    records of the same format, else the streamer's handle, else the file's key in
    ``file_keys`` (:func:`toolkit.recordings.reader.ingest` gives each file's path from the
    folder the inputs share, so the pseudonyms do not depend on where the folder lies), else
    its name. Without a room id, a silence of more than :data:`SILENCE` starts a new session
    (``#1``, ``#2``...).
    """
    file_name = pl.col("file").str.extract(r"([^/\\]+)$")
    if file_keys:
        file_name = pl.coalesce(pl.col("file").replace_strict(file_keys, default=None,
                                                              return_dtype=pl.String),
                                file_name)
    order = pl.col("order")
    room = pl.col("room_id").cast(pl.String)
    frame = checked.sort("order").with_columns(
        room.forward_fill().backward_fill().over("file", "format").alias("_room"),
        pl.col("streamer").forward_fill().backward_fill().over("file").alias("_streamer"),
    ).with_columns(
        session_id=pl.coalesce(pl.col("_room"), "@" + pl.col("_streamer").str.strip_prefix("@"),
                               "file:" + file_name),
    )
    gaps = frame.filter(pl.col("_room").is_null()).sort("session_id", "ts_ms", "order").select(
        "order", _part=(pl.col("ts_ms").diff().over("session_id") > SILENCE_MS)
        .fill_null(False).cum_sum().over("session_id"))
    frame = frame.join(gaps, on="order", how="left").sort("order").with_columns(
        session_id=pl.when(pl.col("_part").fill_null(0) > 0)
        .then(pl.col("session_id") + "#" + pl.col("_part").cast(pl.String))
        .otherwise(pl.col("session_id")),
    ).drop("_part").with_columns(
        streamer=pl.col("_streamer").str.strip_prefix("@").drop_nulls().first()
        .over("session_id"),
        user=pl.coalesce(pl.col("user_id").cast(pl.String), pl.col("unique_id")),
    ).drop("_room", "_streamer").with_columns(
        host=((pl.col("method") == CHAT)
              & ((pl.col("is_host") == 1)
                 | (pl.col("unique_id").str.strip_prefix("@") == pl.col("streamer"))))
        .fill_null(False),
        reply_to=pl.coalesce(pl.col("at_user_id").cast(pl.String), pl.col("at_unique_id")),
    ).with_columns(reply_to=pl.when("host").then("reply_to"))
    # message ids are unique across TikTok: a copy is a copy whatever file or room it is in
    repeated = pl.col("msg_id").is_not_null() & pl.col("msg_id").is_duplicated() & (
        order != order.min().over("msg_id"))
    duplicates = frame.filter(repeated).select(
        "file", "line", "item", pl.lit("msg_id").alias("field"),
        pl.col("msg_id").cast(pl.String).alias("value"), pl.lit("duplicate message")
        .alias("reason"), pl.lit("this message id was already read").alias("detail"))
    method, action = pl.col("method"), pl.col("action")
    key = pl.col("display_key").fill_null("")
    kind = (
        pl.when((method == MEMBER) & (action.is_null() | (action == 1))).then(pl.lit("join"))
        .when(method == LIKE).then(pl.lit("heart"))
        .when((method == CHAT) & ~pl.col("host")).then(pl.lit("comment"))
        .when((method == SOCIAL) & ((action == 1) | key.str.contains("follow")))
        .then(pl.lit("follow"))
        .when((method == SOCIAL) & ((action == 3) | key.str.contains("share")))
        .then(pl.lit("share"))
        .when(method == GIFT).then(pl.lit("gift"))
        .when(method == ROOM_USER_SEQ).then(pl.lit("viewers"))
    )
    loaded = frame.filter(~repeated).with_columns(
        kind=kind.cast(EventKind),
        ts=pl.col("ts_ms").cast(pl.Datetime("ms", "UTC")),
        out_of_order=pl.col("ts_ms") < pl.col("ts_ms").cum_max().shift(1).over("session_id"),
    ).with_columns(pl.col("out_of_order").fill_null(False))
    return Counted(loaded, duplicates)


def _gift_rows(gifts: pl.DataFrame) -> pl.DataFrame:
    """One row per streak (streakable gifts) or per message (others)."""
    streakable = pl.coalesce(pl.col("gift_type") == 1, pl.col("group_id").fill_null(0) > 0)
    marked = gifts.with_columns(_streak=streakable,
                                _n=pl.col("repeat_count").fill_null(1).clip(lower_bound=1))
    streaks = (
        marked.filter(pl.col("_streak") & pl.col("group_id").is_not_null())
        .group_by("session_id", "user", "gift_id", "group_id")
        .agg(ts=pl.col("ts").max(), count=pl.col("_n").max(),
             price=pl.col("diamond_count").max(), order=pl.col("order").min())
    )
    # a streak without a group id is told by its viewer and gift, in time order: it ends at
    # its final message or where the repeat count falls (a new streak began), so one whose
    # final message was lost still counts, with its highest repeat count
    viewer_gift = ("session_id", "user", "gift_id")
    loose = (
        marked.filter(pl.col("_streak") & pl.col("group_id").is_null())
        .sort("ts", "order")
        .with_columns(_start=((pl.col("_n") < pl.col("_n").shift(1))
                              | (pl.col("repeat_end").shift(1) == 1)).fill_null(True)
                      .over(viewer_gift))
        .with_columns(_streak_no=pl.col("_start").cum_sum().over(viewer_gift))
        .group_by(*viewer_gift, "_streak_no")
        .agg(ts=pl.col("ts").max(), count=pl.col("_n").max(),
             price=pl.col("diamond_count").max(), order=pl.col("order").min())
        .drop("_streak_no")
    )
    singles = marked.filter(~pl.col("_streak")).select(
        "session_id", "user", "gift_id", "ts", pl.col("_n").alias("count"),
        pl.col("diamond_count").alias("price"), "order")
    return pl.concat([streaks.drop("group_id"), loose, singles], how="diagonal")


def _viewer_rows(loaded: pl.DataFrame) -> pl.DataFrame:
    """One viewers row per minute mark of each stretch of a session: the last count at or
    before it in the stretch (before the stretch's first count, that count).

    A stretch ends at a silence of more than :data:`SILENCE` with no record at all (the
    recording stopped, or a time is far off): the minutes of such a silence get no row, the
    count there being unknown. So a session's rows are bounded by its records (at most 30 a
    record), whatever its times: two counts nine years apart make two rows, not millions.
    """
    keys = ["session_id", "_stretch"]
    timed = loaded.select("session_id", "ts", "order", "kind", "method", "total",
                          "member_count").sort("session_id", "ts", "order").with_columns(
        _stretch=(pl.col("ts").diff().dt.total_milliseconds() > SILENCE_MS)
        .fill_null(False).cum_sum().over("session_id"))
    snapshots = timed.filter(pl.col("kind") == "viewers", pl.col("total").is_not_null())
    with_seq = snapshots["session_id"].unique()
    rough = timed.filter(pl.col("method") == MEMBER, pl.col("member_count").is_not_null(),
                         ~pl.col("session_id").is_in(with_seq.implode()))
    counts = pl.concat([snapshots.select(*keys, "ts", viewers="total"),
                        rough.select(*keys, "ts", viewers="member_count")]).sort(*keys, "ts")
    spans = timed.group_by(keys).agg(first=pl.col("ts").min(), last=pl.col("ts").max())
    grid = (
        spans.join(counts.select(keys).unique(), on=keys, how="semi")
        .with_columns(ts=pl.datetime_ranges(pl.col("first").dt.truncate("1m"), pl.col("last"),
                                            interval="1m", time_unit="ms", time_zone="UTC"))
        .explode("ts").select(*keys, "ts").sort(*keys, "ts")
    )
    first = counts.group_by(keys).agg(_first=pl.col("viewers").first())
    return (
        grid.join_asof(counts, on="ts", by=keys, strategy="backward", check_sortedness=False)
        .join(first, on=keys)  # before the stretch's first count: that count
        .select("session_id", "ts", count=pl.coalesce("viewers", "_first"))
    )


def events_from(loaded: pl.DataFrame) -> pl.DataFrame:
    """The canonical events table of loaded messages (see the module docstring)."""
    kind = pl.col("kind")
    base = loaded.filter(kind.is_not_null()).sort("session_id", "ts", "order")
    ones = base.filter(kind.is_in(["join", "comment", "share"])).select(
        "session_id", "ts", "kind", "user", "order", count=pl.lit(1, pl.Int64))
    hearts = base.filter(kind == "heart").select("session_id", "ts", "kind", "user", "order",
                                                 "count")
    follows = base.filter(kind == "follow").unique(["session_id", "user"], keep="first",
                                                    maintain_order=True)
    gifts = _gift_rows(base.filter(kind == "gift"))
    viewers = _viewer_rows(base)
    table = pl.concat([
        ones, hearts,
        follows.select("session_id", "ts", "kind", "user", "order", count=pl.lit(1, pl.Int64)),
        gifts.with_columns(kind=pl.lit("gift").cast(EventKind),
                           coins=pl.col("price") * pl.col("count")),
        viewers.with_columns(kind=pl.lit("viewers").cast(EventKind), order=pl.lit(0, pl.Int64)),
    ], how="diagonal_relaxed")
    return (
        table.rename({"user": "user_id"})
        .with_columns(pl.col("coins").fill_null(0))
        .sort("session_id", "ts", "order")
        .select([pl.col(c).cast(t) for c, t in EVENTS_SCHEMA.items()])
    )


def replies_from(loaded: pl.DataFrame) -> pl.DataFrame:
    """The host's replies by name (:data:`toolkit.events.REPLIES_SCHEMA`): one row per chat
    message of the host that @-mentions a viewer, by session and time."""
    return (loaded.filter(pl.col("host") & pl.col("reply_to").is_not_null())
            .sort("session_id", "ts", "order")
            .select(pl.col("session_id").cast(pl.String), pl.col("ts").cast(pl.Datetime("ms", "UTC")),
                    user_id=pl.col("reply_to").cast(pl.String)))


def sessions_from(loaded: pl.DataFrame, events: pl.DataFrame,
                  timezone: str = "UTC") -> pl.DataFrame:
    """One row per session: what the recording tells about each LIVE.

    Columns: ``session_id``, ``creator_id``, ``start`` (the first minute mark, UTC), ``hour``
    (local start hour in ``timezone``), ``duration_minutes`` (minute rows of viewer counts),
    ``followers`` (the creator's followers before the first follow seen; null if none),
    ``hearts_batches`` (sum of per-user like batches), ``hearts_room`` (hearts during the
    recording by the room's running total), ``hearts_room_total`` (the running total at the
    end, hearts before the recording included), ``viewers_cumulative``, ``end`` (last event),
    ``ended`` (``"by the host"``, ``"suspended"`` or ``"recording stopped"``),
    ``recorded_from`` / ``recorded_to`` (receive times), ``formats``.
    """
    kind, method = pl.col("kind"), pl.col("method")
    likes = (kind == "heart") & pl.col("total").is_not_null()
    per_session = loaded.group_by("session_id").agg(
        creator_id=pl.col("streamer").drop_nulls().first(),
        start=pl.col("ts").filter(kind.is_not_null()).min().dt.truncate("1m"),
        end=pl.col("ts").filter(kind.is_not_null()).max(),
        followers=(pl.col("follow_count").filter(kind == "follow").min() - 1),
        hearts_batches=pl.col("count").filter(kind == "heart").sum(),
        hearts_room=(pl.col("total").filter(likes).max()
                     - (pl.col("total") - pl.col("count")).filter(likes).min()),
        hearts_room_total=pl.col("total").filter(likes).max(),
        viewers_cumulative=pl.col("total_user").max(),
        _action=pl.col("action").filter(method == CONTROL).max(),
        recorded_from=pl.col("received_ms").min().cast(pl.Datetime("ms", "UTC")),
        recorded_to=pl.col("received_ms").max().cast(pl.Datetime("ms", "UTC")),
        formats=pl.col("format").drop_nulls().unique().sort().str.join(", "),
    )
    minutes = events.filter(pl.col("kind") == "viewers").group_by("session_id").agg(
        duration_minutes=pl.len().cast(pl.Int32))
    return (
        per_session.join(minutes, on="session_id", how="left")
        .with_columns(
            hour=pl.col("start").dt.convert_time_zone(timezone).dt.hour().cast(pl.Int8),
            duration_minutes=pl.col("duration_minutes").fill_null(0),
            ended=pl.when(pl.col("_action") == 3).then(pl.lit("by the host"))
            .when(pl.col("_action") == 4).then(pl.lit("suspended"))
            .otherwise(pl.lit("recording stopped")),
        )
        .select("session_id", "creator_id", "start", "hour", "duration_minutes", "followers",
                "hearts_batches", "hearts_room", "hearts_room_total", "viewers_cumulative",
                "end", "ended", "recorded_from", "recorded_to", "formats")
        .sort("session_id")
    )


def gifts_seen(loaded: pl.DataFrame) -> pl.DataFrame:
    """The gifts a recording shows: ``gift_id``, ``name``, ``coins`` (the highest price seen),
    ``prices`` (how many prices were seen: more than 1 when the price changed during the
    recording; each gift row keeps its own message's price), ``streakable``, ``messages``."""
    gifts = loaded.filter(pl.col("kind") == "gift")
    return gifts.group_by("gift_id").agg(
        name=pl.col("gift_name").drop_nulls().first(),
        coins=pl.col("diamond_count").max(),
        prices=pl.col("diamond_count").n_unique().cast(pl.Int64),
        streakable=(pl.col("gift_type") == 1).any(),
        messages=pl.len(),
    ).sort("gift_id")


def gift_coins_compared(loaded: pl.DataFrame) -> pl.DataFrame:
    """Coins per session counted three ways, to show what the streak rule is for.

    ``naive``: price x repeat count of every gift message (each streak counted once per tap);
    ``final_only``: only messages that end a streak, and gifts that cannot streak (misses
    streaks whose last message was lost); ``streak_safe``: the rule of this module.
    """
    gifts = loaded.filter(pl.col("kind") == "gift")
    price = pl.col("diamond_count") * pl.col("repeat_count").fill_null(1).clip(lower_bound=1)
    final = (pl.col("repeat_end") == 1) | (pl.col("gift_type") != 1)
    ways = gifts.group_by("session_id").agg(
        naive=price.sum(), final_only=price.filter(final).sum())
    safe = _gift_rows(gifts).group_by("session_id").agg(
        streak_safe=(pl.col("price") * pl.col("count")).sum())
    return ways.join(safe, on="session_id", how="full", coalesce=True).fill_null(0).sort(
        "session_id")


def rule_counts(loaded: pl.DataFrame, events: pl.DataFrame) -> dict[str, int]:
    """What each counting rule did, for the report (``loaded``: :func:`count`'s messages)."""
    kind = pl.col("kind")

    def rows(frame: pl.DataFrame, *kinds: str) -> int:
        return frame.filter(kind.is_in(kinds)).height

    hearts = events.filter(kind == "heart")["count"].sum()
    return {
        "events": events.height,
        "gift_messages": rows(loaded, "gift"),
        "gift_rows": rows(events, "gift"),
        "follow_messages": rows(loaded, "follow"),
        "follow_rows": rows(events, "follow"),
        "viewer_messages": rows(loaded, "viewers"),
        "viewer_rows": rows(events, "viewers"),
        "other_messages": loaded.filter(kind.is_null() & ~pl.col("host")).height,
        "out_of_order": int(loaded["out_of_order"].sum()),
        "receive_time_used": loaded.filter(pl.col("time_source") == "receive",
                                           ~pl.col("method").is_in(MARKER_METHODS)).height,
        "hearts_batches": int(hearts or 0),
        "host_messages": int(loaded["host"].sum()),
        "reply_rows": loaded.filter(pl.col("host") & pl.col("reply_to").is_not_null()).height,
        "gifts_off_catalogue": _off_catalogue(events),
    }


def _off_catalogue(events: pl.DataFrame) -> int:
    """Gift rows whose coins are not the gift catalogue's price x count (a gift of the
    catalogue priced otherwise by the recording; kept at the recording's price, flagged)."""
    gifts = events.filter(pl.col("kind") == "gift").with_columns(_price=_catalogue_price())
    return gifts.filter(pl.col("_price").is_not_null()
                        & (pl.col("coins") != pl.col("_price") * pl.col("count"))).height


def describe_rules(rules: dict[str, int]) -> list[str]:
    """Plain sentences for :func:`rule_counts` (the lines ``toolkit ingest`` prints)."""
    off = rules.get("gifts_off_catalogue", 0)
    return [
        f"gifts: {rules['gift_messages']:,} messages -> {rules['gift_rows']:,} rows "
        "(each streak counted once, with its highest repeat count)",
        *([f"  {off:,} gift rows priced otherwise than the gift catalogue (kept at the "
           "recording's price: a price change, or a wrong price?)"] if off else []),
        f"follows: {rules['follow_messages']:,} messages -> {rules['follow_rows']:,} rows "
        "(a viewer's follow counted once)",
        f"viewer counts: {rules['viewer_messages']:,} messages -> {rules['viewer_rows']:,} "
        "minute rows",
        f"the host's chat: {rules['host_messages']:,} messages, not counted as comments; "
        f"{rules['reply_rows']:,} answer a viewer by name (replies.parquet)",
        f"{rules['other_messages']:,} messages of kinds the events table does not hold "
        "(kept in messages.parquet)",
        f"{rules['out_of_order']:,} records arrived out of order (sorted by server time); "
        f"{rules['receive_time_used']:,} had no server time (receive time used)",
    ]
