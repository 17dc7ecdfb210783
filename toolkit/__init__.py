"""Live-stream engagement economics: TikTok LIVE hearts, gifts, money and visibility.

The package is built in layers (``docs/architecture.md``); each subpackage lists its public
API in its ``__init__``:

- :mod:`toolkit.stats`        general statistics with intervals (knows nothing of LIVEs)
- :mod:`toolkit.money`        reference tables, what viewers pay, what creators get, rewards
- :mod:`toolkit.events`       the canonical events table and ``Dataset``, the one container
- :mod:`toolkit.likes`        LIVE hearts vs likes on regular videos
- :mod:`toolkit.analytics`    the LIVE summary, the minute table, heart peaks
- :mod:`toolkit.simulation`   worlds, the seeded simulator, creators over days, experiments
- :mod:`toolkit.claims`       the claims registry, the tests, their calibration
- :mod:`toolkit.recordings`   recordings of real LIVEs into the canonical tables
- :mod:`toolkit.publish`      charts, notebooks, the explainer site, classroom copies
- :mod:`toolkit.cli`          the ``toolkit`` command

Import the layer you need: ``from toolkit import money``, ``from toolkit.claims import
signals``.
"""

__version__ = "0.1.0"
