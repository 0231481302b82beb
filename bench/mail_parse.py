"""Time ``parse`` on the benchmark mix: ``.venv/bin/python bench/mail_parse.py [N]``.

The mix is the one ``../shared/bench-peer/mail/load-mailbox.py`` loads into Dovecot
(same builder, same seed), built in memory: no IMAP. Prints one line,
``mail_parse n=<n> mean_ms=<x> p95_ms=<y> garbled=<g>``; the target is mean ≤ 0.4 ms.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from okno.channels.mail.parsing import parse
from okno.channels.mail.tests.bench_parsing import bench_mix, garbled


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    mix = [raw for _, raw in bench_mix(n)]
    for raw in mix[:50]:
        parse(raw)  # warm the caches a long-running worker has warm
    times = []
    cpu = []
    gc.disable()
    for raw in mix:
        start, start_cpu = time.perf_counter(), time.thread_time()
        parse(raw)
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    gc.enable()
    times.sort()
    bad = sum(garbled(raw) for raw in mix)
    # CPU time as well: on a shared machine wall time includes waiting for a core.
    print(
        f"mail_parse n={n} mean_ms={statistics.mean(times) * 1000:.3f} "
        f"p95_ms={times[int(len(times) * 0.95)] * 1000:.3f} cpu_mean_ms={statistics.mean(cpu) * 1000:.3f} "
        f"garbled={bad}"
    )


if __name__ == "__main__":
    main()
