"""Altair chart builders in one house style, and an offline renderer.

Call :func:`setup` once at the top of a notebook. It registers and enables the ``toolkit``
renderer, which stores each chart twice in the notebook: as a Vega-Lite spec, drawn
interactively by JupyterLab with no network, and as a static PNG (made locally by
``vl-convert``), so the notebook also reads on a code host that runs no JavaScript.
Nothing else happens at import time (but see the last paragraph).

Dollar columns are exact decimals in the toolkit; charts convert them to floats for drawing
only (a chart is not a total).

Importing this module marks the package ``rfc3987_syntax`` as absent (unless it is already
imported): Altair checks charts with ``jsonschema``, which, when that package is installed
(JupyterLab's dependencies bring it), builds a grammar for the ``iri`` string formats as it is
imported, 2-3 seconds of every notebook's start for a format no Vega-Lite schema uses.
"""

from __future__ import annotations

import base64
import sys
from typing import Any, cast

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # see the docstring

import altair as alt  # noqa: E402
import polars as pl  # noqa: E402
from altair.vegalite.v5.display import VEGALITE_MIME_TYPE  # noqa: E402

from toolkit._checks import to_float  # noqa: E402

__all__ = [
    "setup", "timeline", "money_waterfall", "price_per_coin", "creator_share_by_rates",
    "rate_slider", "rank_shift", "histograms", "minute_panel", "gift_points", "lines",
    "effects", "bands", "bars", "scatter",
]

WIDTH, HEIGHT = 560, 260
PALETTE = ["#1f6f8b", "#e07a5f", "#81b29a", "#f2cc8f", "#3d405b", "#9c6644"]


def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": "DejaVu Sans, Helvetica, Arial, sans-serif",
            "title": {"fontSize": 15, "anchor": "start", "subtitleColor": "#555"},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6"},
            "range": {"category": PALETTE},
            "background": "white",
        }
    }


def _render(spec: dict[str, Any], **metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Mimebundle with the interactive spec, a static PNG and a short text form."""
    import vl_convert

    png = vl_convert.vegalite_to_png(spec, scale=1)
    title = spec.get("title", "chart")
    if isinstance(title, dict):
        title = title.get("text", "chart")
    bundle = {
        VEGALITE_MIME_TYPE: spec,
        "image/png": base64.b64encode(png).decode("ascii"),
        "text/plain": f"<Chart: {title}>",
    }
    return bundle, metadata


def setup() -> None:
    """Enable the house theme and the offline renderer (interactive spec + static PNG)."""
    alt.theme.register("toolkit", enable=True)(_theme)
    alt.renderers.register("toolkit", _render)
    alt.renderers.enable("toolkit")


def _floats(frame: pl.DataFrame) -> pl.DataFrame:
    """Decimal columns as floats and times as UTC ISO text ending in Z, for drawing only.

    Without the Z, a browser would read the times in the reader's own time zone.
    """
    return frame.with_columns(
        pl.col(pl.Decimal).cast(pl.Float64),
        pl.col(pl.Datetime).dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ"),
    )



def timeline(per_interval: pl.DataFrame, value: str, title: str, y_title: str) -> alt.Chart:
    """Bars of ``value`` per time interval (columns ``minute`` and ``minute_end``)."""
    return (
        alt.Chart(_floats(per_interval), title=title)
        .mark_rect(color=PALETTE[0], stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("minute:Q", title="minutes since the LIVE started"),
            x2="minute_end:Q",
            y=alt.Y(f"{value}:Q", title=y_title),
            y2=alt.datum(0),
            tooltip=[alt.Tooltip("minute:Q", title="from minute", format=".1f"),
                     alt.Tooltip(f"{value}:Q")],
        )
    )


def money_waterfall(flow_table: pl.DataFrame, title: str) -> alt.LayerChart:
    """A waterfall: what the viewer pays, what the platform keeps, what the creator gets.

    ``flow_table`` has ``step`` and ``usd`` (see :meth:`toolkit.money.MoneyFlow.table`).
    """
    data = _floats(flow_table).with_columns(
        end=pl.col("usd").cum_sum(), label=pl.col("usd").abs().round(2)
    ).with_columns(start=pl.col("end") - pl.col("usd"))
    data = data.with_columns(
        start=pl.when(pl.col("step") == "creator is paid").then(0.0).otherwise("start"),
        end=pl.when(pl.col("step") == "creator is paid").then(pl.col("usd")).otherwise("end"),
    )
    data = data.with_columns(top=pl.max_horizontal("start", "end"))
    order = data["step"].to_list()
    base = alt.Chart(data, width=420, height=HEIGHT).encode(
        x=alt.X("step:N", sort=order, title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=0)),
    )
    bars = base.mark_bar(width={"band": 0.6}).encode(
        y=alt.Y("start:Q", title="US dollars"),
        y2="end:Q",
        color=alt.Color("step:N", sort=order, legend=None),
        tooltip=["step:N", alt.Tooltip("label:Q", title="US dollars", format="$.2f")],
    )
    text = base.mark_text(dy=-8).encode(y="top:Q", text=alt.Text("label:Q", format="$.2f"))
    return (bars + text).properties(title=title)


def price_per_coin(packages: pl.DataFrame, title: str) -> alt.Chart:
    """Price per coin (US cents) of each package, one colour per price list."""
    names = {"in_app": "in the app (today)", "in_app_2023": "in the app (2021-2023)",
             "web": "on the web"}
    data = _floats(packages).with_columns(
        cents_per_coin=pl.col("usd_per_coin") * 100,
        channel=pl.col("channel").replace_strict(names, default=pl.col("channel")),
    )
    return (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("coins:Q", title="coins in the package (log scale)",
                    scale=alt.Scale(type="log", domain=[50, 20_000])),
            y=alt.Y("cents_per_coin:Q", title="price per coin (US cents; axis starts at 1)",
                    scale=alt.Scale(domain=[1.0, 1.6])),
            color=alt.Color("channel:N", title="price list"),
            tooltip=["channel:N", "coins:Q", alt.Tooltip("price_usd:Q", format="$.2f"),
                     alt.Tooltip("cents_per_coin:Q", format=".4f")],
        )
    )


def creator_share_by_rates(shares: pl.DataFrame, title: str) -> alt.LayerChart:
    """Horizontal bars of the creator's share of what the viewer paid, per rate set.

    ``shares`` has ``rates`` (name) and ``creator_share`` (0..1 or more). A rule marks 100 %:
    beyond it the creator would be paid more than the viewer spent.
    """
    data = _floats(shares).with_columns(
        outcome=pl.when(pl.col("creator_share") > 1)
        .then(pl.lit("creator paid more than the viewer spent"))
        .otherwise(pl.lit("creator paid less than the viewer spent"))
    )
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("rates:N", title="rate set", sort=None),
        x=alt.X("creator_share:Q", title="creator's dollars / viewer's dollars",
                axis=alt.Axis(format="%")),
        color=alt.Color("outcome:N", title=None, scale=alt.Scale(range=[PALETTE[0], PALETTE[1]]),
                        sort=["creator paid less than the viewer spent"],
                        legend=alt.Legend(orient="bottom", labelLimit=0)),
        tooltip=["rates:N", alt.Tooltip("creator_share:Q", format=".1%")],
    )
    line = pl.DataFrame({"x": [1.0], "label": ["100 %"]})
    rule = alt.Chart(line).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    label = alt.Chart(line).mark_text(align="left", dx=4, y=-6).encode(x="x:Q", text="label:N")
    return (bars + rule + label).properties(title=title)


def rate_slider(sweep: pl.DataFrame, title: str) -> alt.LayerChart:
    """Creator's dollars against the dollars-per-Diamond rate, with a slider.

    ``sweep`` has ``usd_per_diamond``, ``creator_usd`` and ``viewer_usd``. The dot marks the
    rate chosen with the slider (in JupyterLab or the site; the reference $0.005 in the
    static picture); its tooltip shows the numbers.
    """
    data = _floats(sweep)
    lo, hi = to_float(data["usd_per_diamond"].min()), to_float(data["usd_per_diamond"].max())
    step = to_float(data["usd_per_diamond"].diff().drop_nulls().min())
    pick = alt.param(
        name="rate", value=0.005,
        bind=alt.binding_range(min=lo, max=hi, step=step, name="US dollars per Diamond "),
    )
    base = alt.Chart(data).encode(
        x=alt.X("usd_per_diamond:Q", title="US dollars paid per Diamond")
    )
    creator = base.mark_line(color=PALETTE[0]).encode(
        y=alt.Y("creator_usd:Q", title="US dollars")
    )
    viewer = alt.Chart(data).mark_rule(color=PALETTE[1], strokeDash=[4, 4]).encode(
        y=alt.Y("mean(viewer_usd):Q"),
        tooltip=[alt.Tooltip("mean(viewer_usd):Q", format="$.2f", title="viewer paid")],
    )
    viewer_label = alt.Chart(data).mark_text(
        align="left", dy=-7, color=PALETTE[1], text="what the viewer paid"
    ).encode(x=alt.datum(lo), y=alt.Y("mean(viewer_usd):Q"))
    point = base.mark_point(size=120, filled=True, color=PALETTE[4]).encode(
        y="creator_usd:Q",
        tooltip=[alt.Tooltip("usd_per_diamond:Q", format="$.3f"),
                 alt.Tooltip("creator_usd:Q", format="$.2f", title="creator is paid"),
                 alt.Tooltip("viewer_usd:Q", format="$.2f", title="viewer paid")],
    ).transform_filter(abs(alt.datum.usd_per_diamond - pick) < step / 2).add_params(pick)
    return (creator + viewer + viewer_label + point).properties(title=title)


def rank_shift(table: pl.DataFrame, title: str) -> alt.LayerChart:
    """Slope chart: each creator's rank before and after a change of like rules.

    ``table`` comes from :func:`toolkit.likes.ranking_shift`.
    """
    before, after = "platform: video likes only", "what-if: video likes + LIVE hearts"
    groups = ["1-2 hours", "5-10 hours", "40 hours or more"]
    long = table.unpivot(
        index=["creator", "live_hours"], on=["rank_before", "rank_after"],
        variable_name="rules", value_name="rank",
    ).with_columns(
        rules=pl.col("rules").replace_strict({"rank_before": before, "rank_after": after}),
        time_live=pl.when(pl.col("live_hours") <= 2).then(pl.lit(groups[0]))
        .when(pl.col("live_hours") <= 10).then(pl.lit(groups[1]))
        .otherwise(pl.lit(groups[2])),
    )
    last = int(cast(int, long["rank"].max()))  # polars types a max as any Python value
    base = alt.Chart(long, width=420, height=340).encode(
        x=alt.X("rules:N", sort=[before, after], title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=0), scale=alt.Scale(padding=0.25)),
        y=alt.Y("rank:Q", title="rank by profile likes (1 = most)",
                scale=alt.Scale(reverse=True, domain=[1, last]),
                axis=alt.Axis(values=[1, *range(5, last + 1, 5)])),
        detail="creator:N",
        color=alt.Color("time_live:N", title="time LIVE", sort=groups,
                        scale=alt.Scale(range=["#9aa5b1", PALETTE[0], PALETTE[1]])),
        tooltip=["creator:N", "rules:N", "rank:Q", "live_hours:Q"],
    )
    return (base.mark_line(opacity=0.8) + base.mark_circle(size=60)).properties(title=title)


def histograms(
    frame: pl.DataFrame, value: str, group: str, title: str, x_title: str, step: float,
    y_title: str = "count", ticks: list[float] | None = None,
) -> alt.FacetChart:
    """Histograms of ``value``, one panel per ``group``; ``ticks`` labels the x axis."""
    return (
        alt.Chart(_floats(frame), height=130, width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", bin=alt.Bin(step=step), title=x_title,
                    axis=alt.Axis(format=".2f",
                                  values=alt.Undefined if ticks is None else ticks)),
            y=alt.Y("count():Q", title=y_title),
            color=alt.Color(f"{group}:N", legend=None),
        )
        .facet(row=alt.Row(f"{group}:N", title=None,
                           header=alt.Header(labelAngle=0, labelAlign="left",
                                             labelOrient="top", labelFontSize=12)))
        .properties(title=title)
    )


def minute_panel(minutes: pl.DataFrame, title: str) -> alt.VConcatChart:
    """One LIVE minute by minute: viewers, hearts and gifts, with call-to-action minutes shaded.

    ``minutes`` has ``minute``, ``viewers``, ``hearts``, ``gifts``, ``cta`` and ``moment``
    (bools: a call to action / a strong moment ran during the minute).
    """
    data = _floats(minutes).with_columns(minute_end=pl.col("minute") + 1)
    x = alt.X("minute:Q", title="minutes since the LIVE started",
              scale=alt.Scale(domain=[0, to_float(data["minute_end"].max() or 1)], nice=False))
    marked = data.unpivot(index=["minute", "minute_end"], on=["cta", "moment"],
                          variable_name="what", value_name="on").filter(pl.col("on"))
    shade = alt.Chart(marked).mark_rect(opacity=0.35).encode(
        x=x, x2="minute_end:Q",
        color=alt.Color("what:N", title=None, scale=alt.Scale(
            domain=["cta", "moment"], range=[PALETTE[3], "#9aa5b1"]), legend=None))
    base = alt.Chart(data)

    def panel(column: str, y_title: str, colour: str, as_line: bool = False) -> alt.LayerChart:
        tooltip = ["minute:Q", f"{column}:Q"]
        if as_line:
            mark = base.mark_line(color=colour, point=True).encode(
                x=x, y=alt.Y(f"{column}:Q", title=y_title), tooltip=tooltip)
        else:
            mark = base.mark_rect(color=colour, stroke="white", strokeWidth=0.5).encode(
                x=x, x2="minute_end:Q", y=alt.Y(f"{column}:Q", title=y_title), y2=alt.datum(0),
                tooltip=tooltip)
        return alt.layer(shade, mark).properties(width=WIDTH, height=120)

    return alt.vconcat(
        panel("viewers", "viewers present", PALETTE[0], as_line=True),
        panel("hearts", "hearts per minute", PALETTE[1]),
        panel("gifts", "gifts per minute", PALETTE[2]),
    ).properties(title=alt.Title(
        title, subtitle="yellow: a call to action ran in that minute; grey: a strong moment"))


def gift_points(gifts: pl.DataFrame, title: str) -> alt.Chart:
    """Each gift event of a LIVE as a dot: when (minute), its coins (log scale), streak size.

    ``gifts`` has ``minute`` (float), ``coins``, ``count``, ``name`` and ``streakable``.
    """
    data = _floats(gifts).with_columns(
        sent=pl.when(pl.col("count") > 1).then(pl.lit("a streak")).otherwise(pl.lit("one gift"))
    )
    return (
        alt.Chart(data, title=title)
        .mark_circle(opacity=0.75)
        .encode(
            x=alt.X("minute:Q", title="minutes since the LIVE started"),
            y=alt.Y("coins:Q", title="coins in the gift event (log scale)",
                    scale=alt.Scale(type="log")),
            size=alt.Size("count:Q", title="gifts in the event",
                          scale=alt.Scale(range=[30, 400], domainMin=1)),
            color=alt.Color("sent:N", title=None, scale=alt.Scale(range=[PALETTE[4], PALETTE[1]])),
            tooltip=["name:N", "count:Q", "coins:Q", alt.Tooltip("minute:Q", format=".1f")],
        )
    )


def lines(
    frame: pl.DataFrame, x: str, y: str, group: str, title: str, x_title: str, y_title: str,
) -> alt.Chart:
    """One line per ``group`` of ``y`` against ``x``."""
    return (
        alt.Chart(_floats(frame), title=title)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title),
            color=alt.Color(f"{group}:N", title=None,
                            legend=alt.Legend(orient="top", labelLimit=0)),
            strokeDash=alt.StrokeDash(f"{group}:N", legend=None),
            tooltip=[f"{group}:N", f"{x}:Q", alt.Tooltip(f"{y}:Q", format=".3g")],
        )
    )


def effects(frame: pl.DataFrame, label: str, title: str, x_title: str,
            reference: float = 0.0) -> alt.LayerChart:
    """Estimates with intervals: a dot at ``effect`` and a bar from ``low`` to ``high``.

    A dashed rule marks ``reference`` (0, no effect, by default; 0.05 for false-positive
    rates, say).
    """
    data = _floats(frame)
    base = alt.Chart(data).encode(y=alt.Y(f"{label}:N", title=None, sort=None,
                                          axis=alt.Axis(labelLimit=0)))
    bars = base.mark_rule(strokeWidth=3, color=PALETTE[0]).encode(
        x=alt.X("low:Q", title=x_title), x2="high:Q")
    dots = base.mark_point(filled=True, size=90, color=PALETTE[4]).encode(
        x="effect:Q",
        tooltip=[f"{label}:N", alt.Tooltip("effect:Q", format=".3g"),
                 alt.Tooltip("low:Q", format=".3g"), alt.Tooltip("high:Q", format=".3g")],
    )
    zero = alt.Chart(pl.DataFrame({"x": [float(reference)]})).mark_rule(
        strokeDash=[4, 4]).encode(x="x:Q")
    return (zero + bars + dots).properties(title=title, width=WIDTH)


def bands(
    frame: pl.DataFrame, x: str, y: str, group: str, title: str, x_title: str, y_title: str,
    log_x: bool = False,
) -> alt.LayerChart:
    """Lines of ``y`` against ``x`` per ``group``, with a shaded ``low``-``high`` band each."""
    scale = alt.Scale(type="log") if log_x else alt.Undefined
    base = alt.Chart(_floats(frame)).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=scale),
        color=alt.Color(f"{group}:N", title=None, legend=alt.Legend(orient="top", labelLimit=0)),
    )
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title=y_title), y2="high:Q")
    line = base.mark_line(strokeWidth=2.5, point=True).encode(
        y=f"{y}:Q", tooltip=[f"{group}:N", f"{x}:Q", alt.Tooltip(f"{y}:Q", format=".3g"),
                             alt.Tooltip("low:Q", format=".3g"),
                             alt.Tooltip("high:Q", format=".3g")])
    return (band + line).properties(title=title, width=WIDTH)


def bars(frame: pl.DataFrame, label: str, value: str, title: str, x_title: str,
         highlight: str | None = None, value_format: str = ",.0f") -> alt.Chart:
    """Horizontal bars of ``value`` per ``label``, in the frame's order; rows whose ``label``
    equals ``highlight`` stand out in another colour; ``value_format`` is the tooltip's
    d3 format (``".0%"`` for shares)."""
    colour = (alt.condition(alt.datum[label] == highlight, alt.value(PALETTE[4]),
                            alt.value(PALETTE[0])) if highlight else alt.value(PALETTE[0]))
    return (
        alt.Chart(_floats(frame), title=title, width=WIDTH)
        .mark_bar()
        .encode(y=alt.Y(f"{label}:N", title=None, sort=None, axis=alt.Axis(labelLimit=0)),
                x=alt.X(f"{value}:Q", title=x_title), color=colour,
                tooltip=[f"{label}:N", alt.Tooltip(f"{value}:Q", format=value_format)])
    )


def scatter(
    frame: pl.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str,
    group: str | None = None, log: bool = False,
) -> alt.Chart:
    """One dot per row of ``y`` against ``x`` (log scales with ``log=True``)."""
    scale = alt.Scale(type="symlog") if log else alt.Undefined
    encoding = {
        "x": alt.X(f"{x}:Q", title=x_title, scale=scale),
        "y": alt.Y(f"{y}:Q", title=y_title, scale=scale),
        "tooltip": [alt.Tooltip(f"{x}:Q", format=",.0f"), alt.Tooltip(f"{y}:Q", format=",.0f")],
    }
    if group is not None:
        encoding["color"] = alt.Color(f"{group}:N", title=None,
                                      legend=alt.Legend(orient="top", labelLimit=0))
    return (alt.Chart(_floats(frame), title=title)
            .mark_circle(size=22, opacity=0.5, color=PALETTE[0]).encode(**encoding))
