"""What the benchmarks share: running a measurement in a fresh interpreter.

Each measured run happens in its own Python process, so its time and its peak resident memory
(``VmHWM``, which belongs to the process's own memory map; ``ru_maxrss`` can carry over the
parent's high-water mark through fork and exec) are its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

#: Code that sets ``peak`` to this process's peak resident memory, bytes (paste into a run).
PEAK_CODE = """
try:
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) * 1024
except OSError:
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
"""

#: Environment for one-thread measurements.
ONE_THREAD = {"POLARS_MAX_THREADS": "1", "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
              "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``code`` (``PEAK`` replaced by :data:`PEAK_CODE`) in a fresh interpreter, with
    ``env`` added to the environment; return the JSON it prints last."""
    done = subprocess.run([sys.executable, "-c", code.replace("PEAK", PEAK_CODE), *args],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"benchmark run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
