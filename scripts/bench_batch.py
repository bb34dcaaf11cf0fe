"""Benchmark the batch flow on the livecareer corpus (240 PDFs): throughput with 1 and 2 workers,
the flow's overhead over a plain loop, an unchanged re-run, and peak memory for 60 vs 240 files.

    python scripts/bench_batch.py [--corpus ../shared/corpus/livecareer] [--files 240] [--memory-only]

Every timing is taken in this one process, after Prefect's temporary server has started (the
first flow call starts it), so all ratios come from the same run. The fixed cost of a flow run
(creating the run, the lock, the manifest, the empty index, the artifact) is measured by runs
over an empty folder (median of three) and reported; "net" figures subtract it. Peak memory is
measured in two fresh processes (60 and 240 files, 2 workers), sampling the resident memory of
the flow process and of its worker processes every 20 ms; ``--memory-only`` measures just that.
Run it in a clean copy of the committed tree (``git archive HEAD | tar -x -C /tmp/b8``) when
other work is in progress in the checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = "2026-11-26"


def flat_folder(corpus: Path, n: int, into: Path) -> Path:
    """Symlinks to ``n`` corpus PDFs in one folder (the corpus is never copied), spread over the
    categories."""
    files = sorted(corpus.rglob("*.pdf"))
    step = max(1, len(files) // n)
    chosen = (files[::step] + [f for f in files if f not in files[::step]])[:n]
    into.mkdir(parents=True)
    for f in chosen:
        (into / f"{f.parent.name}-{f.name}").symlink_to(f.resolve())
    return into


def quiet_prefect() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def timed(fn, *args, **kw) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kw)
    return time.perf_counter() - start, value


def plain_loop(folder: Path, out: Path) -> None:
    """The same work without Prefect, the manifest or the pool: the stages in a loop, then the reports."""
    from pipeline import __version__
    from pipeline.file_to_result import file_to_result
    from pipeline.rubric import load_rubric
    from pipeline.types import Settings
    from reports.render import RunInfo, write_reports

    rubric = load_rubric()
    settings = Settings(as_of=date.fromisoformat(AS_OF))
    results = [file_to_result(p, rubric, settings) for p in sorted(folder.iterdir())]
    run = RunInfo(
        rubric_name=rubric.model.name, rubric_id=rubric.model.id, rubric_version=rubric.model.version,
        rubric_sha256=rubric.sha256, as_of=AS_OF, version=__version__,
    )
    write_reports(results, run, out)


def memory_child(folder: str, out: str) -> None:
    """Run one flow (2 workers) and print peak resident memory as JSON."""
    import psutil

    quiet_prefect()
    me = psutil.Process()
    peak = {"flow_mb": 0.0, "largest_worker_mb": 0.0, "total_mb": 0.0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                own = me.memory_info().rss
                kids = []
                for child in me.children(recursive=True):
                    try:
                        kids.append((child.memory_info().rss, " ".join(child.cmdline())))
                    except psutil.Error:
                        pass
                workers = [rss for rss, cmd in kids if "prefect" not in cmd and "uvicorn" not in cmd]
                peak["flow_mb"] = max(peak["flow_mb"], own / 1e6)
                peak["largest_worker_mb"] = max(peak["largest_worker_mb"], max(workers, default=0) / 1e6)
                peak["total_mb"] = max(peak["total_mb"], (own + sum(r for r, _ in kids)) / 1e6)
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    from flows import batch_flow

    summary = batch_flow(folder, out, as_of=AS_OF, workers=2)
    done.set()
    sampler.join()
    print(json.dumps({**peak, "files": summary["new"]}))


def peak_memory(folder: Path, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(folder), str(out)], capture_output=True, text=True, cwd=ROOT
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "livecareer"))
    parser.add_argument("--files", type=int, default=240)
    parser.add_argument("--memory-only", action="store_true", help="only the peak memory for a quarter of the files vs all of them")
    parser.add_argument("--memory-child", nargs=2, metavar=("FOLDER", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--plain-child", nargs=2, metavar=("FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    if args.plain_child:
        plain_loop(Path(args.plain_child[0]), Path(args.plain_child[1]))
        return
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus not found at {corpus}: nothing to measure", file=sys.stderr)
        return
    quiet_prefect()
    work = Path(tempfile.mkdtemp(prefix="rolefit-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect"))
    try:
        folder = flat_folder(corpus, args.files, work / "in")
        small = flat_folder(corpus, args.files // 4, work / "in-small")
        empty = work / "empty"
        empty.mkdir()
        n = len(list(folder.iterdir()))
        if args.memory_only:
            print_memory(small, folder, work)
            return
        from flows import batch_flow

        def flow(src: Path, out: str, workers: int) -> float:
            seconds, _ = timed(batch_flow, str(src), str(work / out), as_of=AS_OF, workers=workers, settle_s=0.0)
            return seconds

        startup = flow(empty, "warm-up", 1)  # starts Prefect's temporary server
        empties = [flow(empty, f"empty-{i}", 1) for i in range(3)]
        fixed = statistics.median(empties)
        # The loop runs in a fresh process of its own: in this one, Prefect's background threads
        # (API client, log and event workers) would slow it down and flatter the flow's ratio.
        cmd = [sys.executable, __file__, "--plain-child", str(folder), str(work / "plain")]
        plain, _ = timed(subprocess.run, cmd, check=True, cwd=ROOT)
        one = flow(folder, "one-worker", 1)
        two = flow(folder, "two-workers", 2)
        rerun = flow(folder, "two-workers", 2)

        def net(t: float) -> float:
            return max(t - fixed, 1e-9)

        print(f"rolefit batch benchmark: {n} PDFs from {corpus}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end of the timed runs")
        print(f"  Prefect temporary server start + first flow (empty folder): {startup:6.2f} s (not in any figure below)")
        print(f"  flow over an empty folder (fixed cost per run, median of 3): {fixed:6.2f} s  ({', '.join(f'{e:.2f}' for e in empties)})")
        print(f"  plain loop (stages + reports, 1 fresh process):         {plain:6.2f} s  {n / plain:5.2f} résumés/s")
        print(f"  flow, 1 worker:                                          {one:6.2f} s  {n / one:5.2f} résumés/s  (net {n / net(one):5.2f}/s)")
        print(f"  flow, 2 workers:                                         {two:6.2f} s  {n / two:5.2f} résumés/s  (net {n / net(two):5.2f}/s)")
        print(f"  re-run, unchanged folder (2 workers):                    {rerun:6.2f} s")
        print("ratios")
        print(f"  2 workers vs 1 worker, speed-up:     {one / two:5.2f}x gross, {net(one) / net(two):5.2f}x net of the fixed cost   (goal >= 1.7x)")
        print(f"  flow (1 worker) / plain loop:        {one / plain:5.2f}x gross, {net(one) / plain:5.2f}x net = (flow - empty-folder flow) / loop   (goal <= 1.15x)")
        print(f"  re-run / first run (2 workers):      {rerun / two:6.1%} gross, {max(rerun - fixed, 0) / net(two):6.1%} net = (re-run - empty) / (first - empty)   (goal <= 3%)")
        shutil.rmtree(work / "two-workers")
        print_memory(small, folder, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def print_memory(small: Path, full: Path, work: Path) -> None:
    mem_small = peak_memory(small, work / "mem-small")
    mem_full = peak_memory(full, work / "mem-full")
    print("peak resident memory, 2 workers, fresh process each (flow process / largest worker / total incl. Prefect server)")
    for m in (mem_small, mem_full):
        print(f"  {m['files']:3d} files: {m['flow_mb']:6.0f} MB / {m['largest_worker_mb']:5.0f} MB / {m['total_mb']:6.0f} MB")
    print(f"  growth {mem_small['files']} -> {mem_full['files']} files: flow process {mem_full['flow_mb'] / mem_small['flow_mb']:.2f}x "
          f"(+{mem_full['flow_mb'] - mem_small['flow_mb']:.0f} MB), total {mem_full['total_mb'] / mem_small['total_mb']:.2f}x   (goal: no growth)")


if __name__ == "__main__":
    main()
