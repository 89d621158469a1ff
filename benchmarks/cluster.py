"""The build on a dask cluster against the local pool, on a network whose every branch has a text of its own.

    python benchmarks/cluster.py [--branches 200] [--workers 2]

Generates the network of benchmarks/network.py with one more slogan that names the branch
in every locale, so every branch needs its own LED pages and its own slogan video (320x180),
then builds it twice from nothing, side by side in one run: with the local process pool
(`--workers` processes) and on a dask LocalCluster of the same number of single-threaded
worker processes. Reports the wall times and their ratio (the engine's overhead), the bytes
shipped (the snapshot once per worker, each job, each result), the measured seconds per
job, and from those, on paper, the wall time for 15,000 branches on N workers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
TODAY = dt.date(2026, 12, 1)
# CPU seconds of a 1080p per-branch slogan video (the example's slogan-16x9), measured on this machine
# with `python benchmarks/variant.py`: a branch's variant after a sibling's, with every branch's variant on
# one timeline, holds stitched from slices and the stitched hold's band encode taken from the store (1.27
# in the same run for the code before the band was kept; 3.7 for the code before one timeline and
# stitching; 7.1 for the code before videos were composed by ffmpeg as segments; 5.6 measured earlier
# with `time signage render video`)
HD_VIDEO_S = 0.74


def generate(target: Path, branches: int) -> None:
    import network

    network.generate(target, branches)
    path = target / "content" / "slogans.yaml"
    slogans = yaml.safe_load(path.read_text(encoding="utf-8"))
    for slogan in slogans:
        if slogan["id"] == "sg-branch-welcome":
            slogan["text"]["zh-Hans-CN"] = "{{ branch.name }}提醒您：陌生来电要您转账，一律先挂断再核实。"
            slogan["text"]["zh-Hant-HK"] = "{{ branch.name }}提提你：陌生來電叫你過數，一律先收線再核實。"
    path.write_text(yaml.safe_dump(slogans, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    from signage.build import build
    from signage.build.cluster import dask_executor, snapshot
    from signage.kinds import open_project, planners
    from signage.network.screens import Network

    tmp = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    try:
        local, remote = tmp / "local", tmp / "remote"
        local.mkdir()
        generate(local, args.branches)
        shutil.copytree(local, remote)

        start = time.perf_counter()
        report = build(open_project(local), planners(()), workers=args.workers, today=TODAY, tty=False, network=Network)
        local_s = time.perf_counter() - start
        jobs_done = sum(report.rendered.values())

        start = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        startup_s = time.perf_counter() - start
        execute = dask_executor(client)
        seen: list[tuple[str, float, int, int]] = []  # kind, seconds, job bytes, result bytes
        sizes: dict[str, int] = {}

        def measured(jobs, env, on_done):  # type: ignore[no-untyped-def]
            sizes["snapshot"] = len(pickle.dumps(snapshot(jobs, env)))

            def done(outcome):  # type: ignore[no-untyped-def]
                job = jobs[outcome.index]
                returned = sum(len(v) for v in (outcome.data or {}).values())
                seen.append(
                    (f"{job.kind}{'/branch' if job.branch else ''}", outcome.seconds, len(pickle.dumps(job)), returned)
                )
                on_done(outcome)

            execute(jobs, env, done)

        start = time.perf_counter()
        build(open_project(remote), planners(()), today=TODAY, tty=False, network=Network, executor=measured)
        cluster_s = time.perf_counter() - start
        client.close()
        cluster.close()

        records = json.loads((local / "output" / "catalogue.json").read_text(encoding="utf-8"))["records"]
        other = json.loads((remote / "output" / "catalogue.json").read_text(encoding="utf-8"))["records"]
        same = {r["id"]: r["files"] for r in records} == {r["id"]: r["files"] for r in other}
        print(
            f"network: {args.branches} branches (3 screens each), every branch with a text of its own; "
            f"{jobs_done} render jobs; {args.workers} workers\n"
        )
        print(f"{'':<44}{'wall s':>8}{'ratio':>8}")
        print(f"{'local process pool':<44}{local_s:>8.1f}{1:>8.2f}")
        print(f"{'dask LocalCluster (same workers)':<44}{cluster_s:>8.1f}{cluster_s / local_s:>8.2f}")
        print(f"{'  + starting the LocalCluster':<44}{startup_s:>8.1f}")
        print(f"outputs byte for byte the same: {'yes' if same else 'NO'}\n")
        total_job = sum(b for _, _, b, _ in seen)
        total_back = sum(r for _, _, _, r in seen)
        print(
            f"shipped: snapshot {sizes['snapshot'] / 2**20:.1f} MiB once per worker (fonts, project files, "
            f"font subsets); jobs {total_job / len(seen) / 1024:.1f} KiB each on average; results "
            f"{total_back / len(seen) / 1024:.0f} KiB each ({total_back / 2**20:.0f} MiB in all)"
        )
        kinds: dict[str, list[float]] = {}
        for kind, seconds, _, _ in seen:
            kinds.setdefault(kind, []).append(seconds)
        print(f"\n{'job kind':<16}{'count':>7}{'median s':>10}{'total s':>9}")
        for kind, values in sorted(kinds.items()):
            print(f"{kind:<16}{len(values):>7}{statistics.median(values):>10.3f}{sum(values):>9.1f}")
        per_branch = sum(s for k, s, _, _ in seen if k.endswith("/branch")) / args.branches
        shared = sum(s for k, s, _, _ in seen if not k.endswith("/branch"))
        print(
            f"\nper branch: {per_branch:.2f} s of rendering (its LED pages and its slogan video at 320x180); "
            f"shared: {shared:.0f} s"
        )
        overhead = max(0.0, cluster_s - local_s) / max(1, len(seen))
        print(f"engine overhead measured here: {overhead * 1000:.0f} ms a job over the local pool")
        videos = statistics.median(s for k, s, _, _ in seen if k == "video/branch")
        print(
            f"\non paper, 15,000 branches (per branch: its LED pages and its slogan video; at 1080p a slogan "
            f"video takes {HD_VIDEO_S} CPU-s, measured with `python benchmarks/variant.py`, "
            f"against {videos:.2f} s here at 320x180):"
        )
        print(f"{'workers':>8}{'320x180 videos':>18}{'1080p videos':>16}")
        for n in (2, 16, 64, 256, 1024):
            small = (15000 * per_branch + shared) / n + 15000 * 2 * overhead / n
            big = (15000 * (per_branch - videos + HD_VIDEO_S) + shared) / n + 15000 * 2 * overhead / n
            print(f"{n:>8}{small / 60:>14.0f} min{big / 60:>12.0f} min")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
