"""What a claim test reads and what it returns: :class:`Dataset` in, :class:`Evidence` out.

Every test of a claim (see :mod:`toolkit.claims`) is a function
``test(data: Dataset, rng: numpy.random.Generator) -> Evidence``. ``Dataset`` holds the
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
inconclusive        the test failed its diagnosis (it errs too often in a world where the claim
                    is false, or its interval misses the truth): its result is not a verdict
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
from dataclasses import dataclass, fields
from typing import ClassVar, TypeVar

from toolkit._checks import Interval, Number, OneOf, Rule, Text, check_fields, check_relation

__all__ = ["claim_test", "VERDICTS", "Evidence", "skipped", "verdict_from_test"]

VERDICTS: tuple[str, ...] = ("supported", "not supported", "contradicted", "inconclusive",
                             "holds by the rules", "what-if", "described", "skipped")


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
        p-value of the test of "no effect", if the claim has one: two-sided, except for the
        claims whose test is one-sided by design (C2, and C18 without labels).
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

    RULES: ClassVar[dict[str, Rule]] = {
        "claim": Text(), "measure": Text(), "estimate": Number(), "low": Number(), "high": Number(),
        "n": Interval(0, None), "verdict": OneOf(VERDICTS), "note": Text(empty=True),
    }

    def __post_init__(self) -> None:
        check_fields(self)
        check_relation(self, self.p_value is None or 0.0 <= self.p_value <= 1.0
                       or math.isnan(self.p_value), "p_value", "None, NaN or a number in [0, 1]")

    def as_dict(self) -> dict[str, object]:
        """The fields by name (for tables and JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


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


F = TypeVar("F", bound=Callable[..., Evidence])


def claim_test(function: F) -> F:
    """Mark a function as the test of a claim, and not a test of pytest's.

    The claim tests are named after their claim (``test_c13``); without the mark, pytest
    would collect one as a test of its own wherever a test module imports it.
    """
    function.__test__ = False  # type: ignore[attr-defined]
    return function
