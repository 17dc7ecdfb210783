"""The README's example runs as printed, and what it says the comments show is what it shows."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_python_example_runs() -> None:
    (block,) = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    namespace: dict[str, object] = {}
    exec(compile(block, str(README), "exec"), namespace)
    flow = namespace["flow"]
    assert (flow.viewer_paid_usd, flow.creator_usd) == (Decimal("14.85"),  # type: ignore[attr-defined]
                                                        Decimal("5.250000"))
