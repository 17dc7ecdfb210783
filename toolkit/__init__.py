"""Live-stream engagement economics: TikTok LIVE hearts, gifts, money and visibility.

Modules, one idea each (see ``docs/architecture.md``):

- :mod:`toolkit.reference`    the reference tables in ``data/reference`` (typed, checked)
- :mod:`toolkit.events`       the canonical events table, ``validate()`` and a CSV reader
- :mod:`toolkit.coins`        the viewer's side: coin packages, cheapest purchase, gift prices
- :mod:`toolkit.money`        the creator's side: Diamonds, dollars, cash-out, the money flow
- :mod:`toolkit.rewards`      pay for regular videos (qualified views x RPM)
- :mod:`toolkit.stats`        statistics over SciPy, estimates with intervals
- :mod:`toolkit.regression`   least squares with robust and clustered errors, mediation
- :mod:`toolkit.inequality`   Gini, Lorenz curves, top shares, heavy-tail fits
- :mod:`toolkit.likes`        LIVE hearts vs likes on regular videos
- :mod:`toolkit.worlds`       the simulator's parameters and the named worlds
- :mod:`toolkit.sessions`     drawing LIVE sessions (creators, hours, lengths)
- :mod:`toolkit.simulate`     the seeded, vectorised LIVE simulator and its visibility loop
- :mod:`toolkit.creators`     creators over days (followers, regular-video views)
- :mod:`toolkit.features`     LIVE analytics per session and per minute (lazy)
- :mod:`toolkit.datasets`     simulated datasets on disk; the bundled one
- :mod:`toolkit.experiments`  compare worlds, same-seed replays, paired effects, naive looks
- :mod:`toolkit.evidence`     what a claim test reads (ClaimData) and returns (Evidence)
- :mod:`toolkit.signals`      which signals move reach (C2, C7, C11, C13, C14)
- :mod:`toolkit.moments`      heart peaks and lulls, calls to action (C16, C17)
- :mod:`toolkit.audience`     evenings, next-day spillover, who gets hearts (C4, C5, C20, C21)
- :mod:`toolkit.earnings`     what goes with earnings (C8, C22)
- :mod:`toolkit.herding`      do gifts trigger gifts (R1)
- :mod:`toolkit.bots`         detecting bought hearts (C18)
- :mod:`toolkit.identities`   the accounting claims checked on data (C1, C6, C10, C12, C19, C3)
- :mod:`toolkit.claims`       the claims registry; :mod:`toolkit.calibration` false
  positives and power; :mod:`toolkit.claims_page` the generated claims page
- :mod:`toolkit.ingest`       recordings of real LIVEs into the canonical tables, with
  :mod:`toolkit.live_formats` (the clients' formats), :mod:`toolkit.protowire` (protobuf
  messages), :mod:`toolkit.counting` (gift streaks, duplicates, hearts, viewers) and
  :mod:`toolkit.pseudonyms` (salted pseudonyms)
- :mod:`toolkit.record`       ``toolkit record``: save a LIVE with tiktoklive (optional extra);
  :mod:`toolkit.recordings` synthetic recordings in the clients' formats
- :mod:`toolkit.charts`       Altair charts in one house style, rendered offline
- :mod:`toolkit.build`        execute the notebooks; :mod:`toolkit.site` the explainer site
- :mod:`toolkit.check`        exercise checks; :mod:`toolkit.classroom` student copies
- :mod:`toolkit.cli`          the ``toolkit`` command

Import the modules you need: ``from toolkit import money``.
"""

__version__ = "0.1.0"
