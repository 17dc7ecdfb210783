"""Live-stream engagement economics: TikTok LIVE hearts, gifts, money and visibility.

Modules, one idea each (see ``docs/architecture.md``):

- :mod:`toolkit.money.reference`    the reference tables in ``data/reference`` (typed, checked)
- :mod:`toolkit.events`       the canonical events table, ``validate()`` and a CSV reader
- :mod:`toolkit.money.coins`        the viewer's side: coin packages, cheapest purchase, gift prices
- :mod:`toolkit.money`        the creator's side: Diamonds, dollars, cash-out, the money flow
- :mod:`toolkit.money.rewards`      pay for regular videos (qualified views x RPM)
- :mod:`toolkit.stats`        statistics over SciPy, estimates with intervals
- :mod:`toolkit.stats.regression`   least squares with robust and clustered errors, mediation
- :mod:`toolkit.stats.inequality`   Gini, Lorenz curves, top shares, heavy-tail fits
- :mod:`toolkit.likes`        LIVE hearts vs likes on regular videos
- :mod:`toolkit.simulation.worlds`       the simulator's parameters and the named worlds
- :mod:`toolkit.simulation.schedule`     drawing LIVE sessions (creators, hours, lengths)
- :mod:`toolkit.simulation.engine`     the seeded, vectorised LIVE simulator and its visibility loop
- :mod:`toolkit.simulation.creators`     creators over days (followers, regular-video views)
- :mod:`toolkit.analytics.summary`     LIVE analytics per session and per minute (lazy)
- :mod:`toolkit.simulation.store`     simulated datasets on disk; the bundled one
- :mod:`toolkit.simulation.experiments`  compare worlds, same-seed replays, paired effects, naive looks
- :mod:`toolkit.claims.evidence`     what a claim test reads (Dataset) and returns (Evidence)
- :mod:`toolkit.claims.signals`      which signals move reach (C2, C7, C11, C13, C14)
- :mod:`toolkit.claims.moments`      heart peaks and lulls, calls to action (C16, C17)
- :mod:`toolkit.claims.audience`     evenings, next-day spillover, who gets hearts (C4, C5, C20, C21)
- :mod:`toolkit.claims.earnings`     what goes with earnings (C8, C22)
- :mod:`toolkit.claims.herding`      do gifts trigger gifts (R1)
- :mod:`toolkit.claims.bots`         detecting bought hearts (C18)
- :mod:`toolkit.claims.accounting`   the accounting claims checked on data (C1, C6, C10, C12, C19, C3)
- :mod:`toolkit.claims`       the claims registry; :mod:`toolkit.claims.calibration` false
  positives and power; :mod:`toolkit.claims.page` the generated claims page
- :mod:`toolkit.recordings.reader`       recordings of real LIVEs into the canonical tables, with
  :mod:`toolkit.recordings.formats` (the clients' formats), :mod:`toolkit.recordings.wire` (protobuf
  messages), :mod:`toolkit.recordings.counting` (gift streaks, duplicates, hearts, viewers) and
  :mod:`toolkit.recordings.pseudonyms` (salted pseudonyms)
- :mod:`toolkit.recordings.recorder`       ``toolkit record``: save a LIVE with tiktoklive (optional extra);
  :mod:`toolkit.recordings` synthetic recordings in the clients' formats
- :mod:`toolkit.publish.charts`       Altair charts in one house style, rendered offline
- :mod:`toolkit.publish.build`        execute the notebooks; :mod:`toolkit.publish.site` the explainer site
- :mod:`toolkit.publish.exercises`        exercise checks; :mod:`toolkit.publish.classroom` student copies
- :mod:`toolkit.cli`          the ``toolkit`` command

Import the modules you need: ``from toolkit import money``.
"""

__version__ = "0.1.0"
