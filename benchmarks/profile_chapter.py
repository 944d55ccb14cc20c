"""Time each code cell of one chapter: ``python benchmarks/profile_chapter.py book/03_x.md``.

Runs the chapter's code cells in order in this one Python process (as the kernel would, with
``glue`` writing nowhere visible), and prints each cell's wall-clock and CPU seconds (this
process's; on a busy machine CPU time is the steadier measure), its first line and the total,
slowest cells first. ``--profile N`` adds a cProfile of the N slowest cells (top
functions by cumulative time). Timings on a shared machine vary: compare the cells' relative
costs, run it twice, and note the load average (printed).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

import jupytext

REPO = Path(__file__).resolve().parents[1]


def code_cells(chapter: Path) -> list[str]:
    """The sources of the chapter's code cells, in order (MyST front matter and tags stripped)."""
    notebook = jupytext.read(chapter)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def run_cells(sources: list[str], profile: bool) -> list[tuple[float, float, str, pstats.Stats | None]]:
    """Execute the cells in one namespace; (wall seconds, CPU seconds, first line, stats) per cell."""
    import matplotlib
    matplotlib.use("Agg")
    namespace: dict = {"__name__": "__main__"}
    os.chdir(REPO / "book")                      # chapters execute next to their file
    results = []
    for source in sources:
        code = compile(source, "<cell>", "exec")
        profiler = cProfile.Profile() if profile else None
        start, cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            if profiler:
                profiler.runctx(code, namespace, namespace)
            else:
                exec(code, namespace)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        first = next((line for line in source.splitlines() if line.strip()), "")
        stats = pstats.Stats(profiler, stream=io.StringIO()) if profiler else None
        results.append((seconds, cpu, first[:90], stats))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print a cProfile of the N slowest cells")
    args = parser.parse_args()
    chapter = Path(args.chapter).resolve()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    start, cpu = time.perf_counter(), time.process_time()
    results = run_cells(code_cells(chapter), profile=args.profile > 0)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    order = sorted(range(len(results)), key=lambda i: -results[i][1])
    print("   wall      CPU")
    for i in order:
        print(f"{results[i][0]:7.2f} s {results[i][1]:7.2f} s  cell {i:2d}  {results[i][2]}")
    print(f"{total:7.2f} s {cpu:7.2f} s  total, {len(results)} cells (imports included); "
          f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    for i in order[:args.profile]:
        stream = io.StringIO()
        stats = results[i][3]
        stats.stream = stream
        stats.sort_stats("cumulative").print_stats(25)
        print(f"\n=== cell {i}: {results[i][2]}\n{stream.getvalue()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
