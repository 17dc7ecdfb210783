"""Settings profiles of the fuzz tests (used through ``fuzz_strategies.fuzz_settings``).

``fuzz`` (the default, inside ``make test``): few small examples, the same ones on every run
(derandomized, no example database), each within a deadline, so a CI run cannot fail by luck
on a case nobody saw. ``fuzz-long`` (``TOOLKIT_FUZZ=long``): many random examples, no deadline,
the failures found kept in Hypothesis' example database (``.hypothesis/``) and printed with a
blob to reproduce them.

The profiles are applied per test, not loaded globally: the other tests keep the profile of
``tests/conftest.py``.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "fuzz", max_examples=100, deadline=dt.timedelta(seconds=5), derandomize=True, database=None,
    print_blob=True, suppress_health_check=_QUIET)
settings.register_profile(
    "fuzz-long", max_examples=2_000, deadline=None, derandomize=False, print_blob=True,
    suppress_health_check=_QUIET)
