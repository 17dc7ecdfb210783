"""The claims (C1-C26, R1) and the tests that give each a verdict.

Modules:

- :mod:`toolkit.claims.evidence`: what a test returns (``Evidence``) and the fixed verdict words
- :mod:`toolkit.claims.registry`: one ``Claim`` per id, with the worlds of its test's matrix
- :mod:`toolkit.claims.verdicts`: ``run_claims``, verdicts read against the diagnosis
  (inconclusive when a test fails it; Benjamini-Hochberg for the rest; power at n)
- :mod:`toolkit.claims.diagnosis`: the diagnosis table (bias, coverage, one-sided error
  rates, power, minimum detectable effect) and the rules that read it
- :mod:`toolkit.claims.accounting`: the accounting claims checked on data (C1, C6, C10, C12,
  C19) and the C3 what-if
- :mod:`toolkit.claims.signals`: which signals move reach (C2, C7, C11, C13, C14)
- :mod:`toolkit.claims.moments`: heart peaks and calls to action (C16, C17)
- :mod:`toolkit.claims.audience`: evenings, next-day spillover, what success goes with (C4, C5,
  C20, C21)
- :mod:`toolkit.claims.earnings`: what goes with earnings (C8, C22)
- :mod:`toolkit.claims.herding`: do gifts trigger gifts (R1)
- :mod:`toolkit.claims.bots`: detecting bought hearts (C18)
- :mod:`toolkit.claims.diagnosis_runs`: ``toolkit diagnose``, the simulations behind it
- :mod:`toolkit.claims.measurement`: what a recording does to the tests (``...@recorded``
  worlds beside their simulated worlds, paired dataset by dataset)
- :mod:`toolkit.claims.calibration`: small error-rate experiments for the notebooks
- :mod:`toolkit.claims.page`: verdicts per world and the generated ``docs/claims.md``

The names below are the public API; the families of tests are modules of their own
(``from toolkit.claims import signals``), and so is the machinery of the diagnosis
(``from toolkit.claims import diagnosis``). The claims page's names (``verdict_summary``,
``verdicts_by_world``, ``claims_markdown``, ``write_claims_page``) are loaded on first use:
they drive the simulator, and importing a claim test must not load it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from toolkit.claims.evidence import VERDICTS, Evidence, claim_test, skipped, verdict_from_test
from toolkit.claims.registry import CLAIMS, Claim, claim, registry_table
from toolkit.claims.verdicts import run_claims

if TYPE_CHECKING:
    from toolkit.claims.page import (
        claims_markdown,
        verdict_summary,
        verdicts_by_world,
        write_claims_page,
    )

_LAZY = {"claims_markdown": "page", "verdict_summary": "page", "verdicts_by_world": "page",
         "write_claims_page": "page"}

__all__ = [
    "VERDICTS", "Evidence", "claim_test", "skipped", "verdict_from_test",
    "CLAIMS", "Claim", "claim", "registry_table", "run_claims",
    "claims_markdown", "verdict_summary", "verdicts_by_world", "write_claims_page",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
