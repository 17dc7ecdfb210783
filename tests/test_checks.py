"""The declared-rules validator: one message format, and every declared rule of every
parameter object refuses a value generated to break it."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from toolkit._checks import (
    Divides,
    Finite,
    Flag,
    Interval,
    Number,
    OneOf,
    Rule,
    Text,
    check_fields,
    rule_message,
)
from toolkit.analytics import PeakRules
from toolkit.claims import CLAIMS, Claim, Evidence, skipped
from toolkit.claims.bots import Detector
from toolkit.claims.herding import HerdingDesign
from toolkit.events import Dataset
from toolkit.likes import LikeRules
from toolkit.money import rates
from toolkit.simulation import world
from toolkit.simulation.worlds import _world_rules

FORMAT = re.compile(r"^The '(\w+)' field of (\w+) must be (.+)\. Got (.+) instead\.$")

#: A default instance of every parameter object, and its declared rules.
OWNERS = {
    "World": (world(), _world_rules()),
    "Rates": (rates(), type(rates()).RULES),
    "Detector": (Detector(), Detector.RULES),
    "HerdingDesign": (HerdingDesign(), HerdingDesign.RULES),
    "PeakRules": (PeakRules(), PeakRules.RULES),
    "LikeRules": (LikeRules(), LikeRules.RULES),
    "Claim": (CLAIMS[0], Claim.RULES),
    "Evidence": (skipped("C1", "a measure", "why"), Evidence.RULES),
}
#: Fields checked by a declared relation (a rule between fields, or on a container's items).
RELATIONS = {"Claim": {"test", "holds_in", "fails_in", "opposite_in", "null_value"},
             "Evidence": {"p_value"}}


def breaking(rule: Rule) -> list[object]:
    """Values the rule must refuse."""
    if isinstance(rule, Interval):
        out: list[object] = [float("nan"), "3", None, True]
        if rule.low is not None:
            out.append(rule.low - 1)
            if rule.closed in ("right", "neither"):
                out.append(rule.low)
        if rule.high is not None and rule.high != math.inf:
            out.append(rule.high + 1)
            if rule.closed in ("left", "neither"):
                out.append(rule.high)
        if rule.high == math.inf and rule.closed in ("left", "neither"):
            out.append(math.inf)
        if rule.whole:
            out.append(2.5)
        return out
    if isinstance(rule, Divides):
        return [0, 7, rule.total + 1, 2.0, True]
    if isinstance(rule, Number):
        return ["1", None, True]
    if isinstance(rule, Finite):
        return [math.inf, float("nan"), "1", True]
    if isinstance(rule, OneOf):
        return ["no such option", 12345, None]
    if isinstance(rule, Text):
        return [3, None] + ([] if rule.empty else [""])
    if isinstance(rule, Flag):
        return [1, "yes", None]
    raise AssertionError(f"no generator for {rule!r}")


#: Rates reads amounts given as decimal strings ("0.005"): a string of a valid amount is valid.
CONVERTED = {("Rates", "usd_per_diamond"), ("Rates", "cashout_minimum_usd"),
             ("Rates", "cashout_daily_cap_usd")}
CASES = [(owner, name, bad) for owner, (_, rules) in OWNERS.items()
         for name, rule in rules.items() for bad in breaking(rule)
         if not ((owner, name) in CONVERTED and bad == "3")]


def test_every_parameter_object_declares_a_rule_for_every_field() -> None:
    for owner, (instance, rules) in OWNERS.items():
        missing = ({f.name for f in dataclasses.fields(instance)} - set(rules)
                   - RELATIONS.get(owner, set()))
        assert not missing, f"{owner}: no rule for {sorted(missing)}"


@pytest.mark.parametrize(("owner", "name", "bad"), CASES,
                         ids=[f"{o}.{n}={b!r}" for o, n, b in CASES])
def test_every_rule_refuses_a_value_that_breaks_it(owner: str, name: str, bad: object) -> None:
    instance, rules = OWNERS[owner]
    assert rules[name].accepts(getattr(instance, name)), "the default must pass its own rule"
    with pytest.raises(ValueError) as error:
        dataclasses.replace(instance, **{name: bad})
    message = str(error.value)
    match = FORMAT.match(message)
    assert match, f"not the one format: {message}"
    assert (match.group(1), match.group(2)) == (name, owner)


def test_the_message_names_owner_field_rule_and_value() -> None:
    assert rule_message("World", "x", "a number in [0, 1]", 2) == \
        "The 'x' field of World must be a number in [0, 1]. Got 2 instead."
    long = rule_message("World", "x", "a string", "y" * 500)
    assert long.endswith("... instead.") and len(long) < 200


def test_check_fields_uses_the_declared_rules() -> None:
    @dataclasses.dataclass(frozen=True)
    class Knob:
        level: float = 0.5
        RULES = {"level": Interval(0, 1)}

        def __post_init__(self) -> None:
            check_fields(self)

    Knob(1.0)
    with pytest.raises(ValueError, match=r"^The 'level' field of Knob must be a number in \[0, 1\]"):
        Knob(1.5)


@pytest.mark.parametrize(("owner", "name", "bad"), [
    ("Claim", "test", "signals.test_c13"), ("Claim", "holds_in", ["baseline"]),
    ("Claim", "fails_in", ("",)), ("Evidence", "p_value", 1.5)])
def test_every_relation_refuses_a_value_that_breaks_it(owner: str, name: str, bad: object) -> None:
    instance, _ = OWNERS[owner]
    with pytest.raises(ValueError, match=rf"^The '{name}' field of {owner} must be "):
        dataclasses.replace(instance, **{name: bad})


def test_a_dataset_refuses_what_is_not_a_lazy_frame() -> None:
    with pytest.raises(ValueError, match=r"^The 'sessions' field of Dataset must be None or"):
        Dataset(events=__import__("polars").LazyFrame(), sessions=3)  # type: ignore[arg-type]


def test_interval_words() -> None:
    assert Interval(0, 1, closed="right").describe() == "a number in (0, 1]"
    assert Interval(0, math.inf, closed="neither").describe() == "a finite number > 0"
    assert Interval(1, None, whole=True).describe() == "a whole number >= 1"
    assert OneOf(("a", "b")).describe() == "one of 'a', 'b'"
