"""Live-stream engagement economics: TikTok LIVE hearts, gifts, money and visibility.

Modules, one idea each (see ``docs/architecture.md``):

- :mod:`toolkit.reference`  the reference tables in ``data/reference`` (typed, checked)
- :mod:`toolkit.events`     the canonical events table, ``validate()`` and a CSV reader
- :mod:`toolkit.coins`      the viewer's side: coin packages, cheapest purchase, gift prices
- :mod:`toolkit.money`      the creator's side: Diamonds, dollars, cash-out, the money flow
- :mod:`toolkit.rewards`    pay for regular videos (qualified views x RPM)
- :mod:`toolkit.likes`      LIVE hearts vs likes on regular videos
- :mod:`toolkit.charts`     Altair charts in one house style, rendered offline
- :mod:`toolkit.build`      execute the notebooks into a build folder
- :mod:`toolkit.cli`        the ``toolkit`` command

Import the modules you need: ``from toolkit import money``.
"""

__version__ = "0.1.0"
