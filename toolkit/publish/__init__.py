"""What the reader sees: charts, executed notebooks, the site, the classroom copies.

Modules:

- :mod:`toolkit.publish.charts`: Altair charts in one house style, rendered offline
- :mod:`toolkit.publish.build`: execute the notebooks in order, then build the site
- :mod:`toolkit.publish.site`: the explainer site in ``build/site`` with strict link checks
- :mod:`toolkit.publish.classroom`: student copies (solutions blanked, outputs cleared)
- :mod:`toolkit.publish.exercises`: the students' answer checks: a hint, never the answer

Nothing is imported until used: ``from toolkit.publish import charts`` loads Altair only,
and building needs the ``notebooks`` extra (nbclient, nbconvert, mistune).
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: The public API of this layer is its modules, loaded on first use.
__all__ = ["build", "charts", "classroom", "exercises", "site"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
