"""The layers of the package, top to bottom: the one table the layer test and the
architecture page are drawn from.

A module may import from its own layer and the layers below it, never from a layer above.
Two packages that share a layer (``claims`` and ``recordings``; ``events`` and ``likes``) are
independent: neither imports the other. The claim tests read a :class:`toolkit.events.Dataset`
and never drive the simulator; only the calibration modules (:data:`SIMULATION_DRIVERS`) do.
"""

from __future__ import annotations

__all__ = ["LAYERS", "SIMULATION_DRIVERS", "layer_of", "layers_markdown"]

#: Layers from the top; each is a tuple of module prefixes (``toolkit.`` left out).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli", "__main__"),
    ("publish",),
    ("claims", "recordings"),
    ("simulation",),
    ("analytics",),
    ("events", "likes"),
    ("money",),
    ("stats", "_paths", "_checks", "_parallel", "_layers", "__init__"),
)

#: Modules of the claims layer allowed to run the simulator (error rates, the claims page).
SIMULATION_DRIVERS: tuple[str, ...] = ("claims.calibration", "claims.diagnosis_runs",
                                       "claims.page")

_WHAT = {
    "cli": "the `toolkit` command",
    "publish": "charts, executed notebooks, the site, classroom copies, exercise checks",
    "claims": "the claims registry, the tests, their evidence, their diagnosis and the verdicts",
    "recordings": "real LIVE recordings in, canonical tables out; synthetic recordings",
    "simulation": "worlds, schedules, the step loop, creators, store, experiments, runner",
    "analytics": "LIVE summary, minute tables, heart peaks",
    "events": "the canonical tables and the one `Dataset`",
    "likes": "LIVE hearts vs likes on regular videos",
    "money": "reference tables, coins, payout, rewards",
    "stats": "intervals, regression, inequality, tails (knows nothing of LIVEs)",
}


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` (0 = top) of a module named with or without ``toolkit.``."""
    name = module.removeprefix("toolkit.")
    if name == "toolkit":
        name = "__init__"
    for index, layer in enumerate(LAYERS):
        for prefix in layer:
            if name == prefix or name.startswith(prefix + "."):
                return index
    raise ValueError(f"module {module!r} is in no layer of toolkit._layers.LAYERS")


def layers_markdown() -> str:
    """The layers as the text block of ``docs/architecture.md`` (kept equal by a test).

    One package a line, top layer first; a rule between layers; packages between the same
    two rules share a layer and do not import each other.
    """
    lines = ["```", "package      what it holds (a package imports only from the lines below its rule)"]
    for index, layer in enumerate(LAYERS):
        if index:
            lines.append("-" * 12)
        for prefix in layer:
            if prefix in _WHAT:
                lines.append(f"{prefix:<12} {_WHAT[prefix]}")
    lines.append("(and the private helpers _paths, _checks, _parallel, _layers, at the bottom)")
    lines.append("```")
    return "\n".join(lines) + "\n"
