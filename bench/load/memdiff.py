"""Compare the memory dumps of the load test's Daphne processes
(bench/load/run.py --memory-dumps DIR): per process, RSS against the glibc
heap and Python's objects over time, the object types that grew most, the
realtime app's per-loop containers, and, when the run traced allocations
(--tracemalloc), the tracebacks whose memory grew most between two dumps.

    .venv/bin/python bench/load/memdiff.py /tmp/mem                # first dump after warm-up vs last
    .venv/bin/python bench/load/memdiff.py /tmp/mem --from 3 --to 20 --top 15
"""

import argparse
import json
import tracemalloc
from collections import defaultdict
from pathlib import Path

# Frames of the probe and of importing: not what the server holds for its work.
_IGNORED = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
            tracemalloc.Filter(False, "*/memprobe/sitecustomize.py")]


def dumps_by_process(folder: Path) -> dict[str, list[Path]]:
    found = defaultdict(list)
    for path in sorted(folder.glob("*-*.json")):
        found[path.stem.split("-")[0]].append(path)
    return found


def timeline(paths: list[Path]) -> None:
    facts = [json.loads(p.read_text()) for p in paths]
    t0 = facts[0]["at"]
    print("| s | RSS MiB | resident anon / heap / files MiB | malloc in use MiB | malloc free MiB | traced MiB "
          "| pymalloc blocks | gc objects | threads | watched (entries/inner) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for f in facts:
        m, maps = f["malloc"], f.get("mappings", {})
        threads = f["threads"] if isinstance(f["threads"], int) else sum(n for _name, n in f["threads"])
        watched = " ".join(f"{'.'.join(k.split('.')[-2:])}={v[0]}/{v[1]}" for k, v in f["watched"].items())
        print(f"| {f['at'] - t0:.0f} | {f['rss_mib']} | {maps.get('anon', '-')} / {maps.get('heap', '-')} / "
              f"{maps.get('file', '-')} | {m.get('in_use_mib', 0):.1f} | {m.get('free_mib', 0):.1f} | "
              f"{f.get('traced_mib', 0):.1f} | {f.get('pymalloc_blocks', '-')} | {f['gc_objects']} | {threads} | "
              f"{watched} |")
    if not isinstance(facts[-1]["threads"], int):
        print("\nthreads at the last dump:", ", ".join(f"{name} x{n}" for name, n in facts[-1]["threads"]))


def grown_types(first: Path, last: Path, top: int, middle: list[Path]) -> None:
    a, b = json.loads(first.read_text())["types"], json.loads(last.read_text())["types"]
    grown = sorted(((b.get(t, 0) - a.get(t, 0), t) for t in set(a) | set(b)), reverse=True)[:top]
    steps = [json.loads(p.read_text())["types"] for p in middle]
    print(f"\nobject types grown most, {first.stem} -> {last.stem} (counts at evenly spaced dumps):")
    for delta, name in grown:
        print(f"  {delta:+8d}  {name}: " + " ".join(str(s.get(name, 0)) for s in steps))


def grown_traces(first: Path, last: Path, top: int, frames: int) -> None:
    a = tracemalloc.Snapshot.load(str(first)).filter_traces(_IGNORED)
    b = tracemalloc.Snapshot.load(str(last)).filter_traces(_IGNORED)
    # Tracing starts at the first dump: what a snapshot holds was allocated
    # under traffic and is still alive (warm-up caches, requests in flight).
    print(f"\nheld at {last.stem} (allocated since tracing began), by file, top {top}:")
    for stat in b.statistics("filename")[:top]:
        print(f"  {stat.size / 1024:9.0f} KiB in {stat.count:7d} blocks  {stat.traceback[0].filename}")
    for key in ("lineno", "traceback"):
        print(f"\ntracemalloc {first.stem} -> {last.stem}, by {key}, top {top}:")
        for stat in b.compare_to(a, key)[:top]:
            print(f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+7d} blocks "
                  f"(now {stat.size / 1024:.0f} KiB in {stat.count})")
            shown = stat.traceback.format(limit=frames, most_recent_first=True) if key == "traceback" else \
                stat.traceback.format(limit=1)
            for line in shown:
                print("     " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--from", dest="first", type=int, default=3, help="dump number to start from (default 3)")
    parser.add_argument("--to", dest="last", type=int, default=0, help="dump number to end at (default the last)")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--frames", type=int, default=12, help="frames shown per traceback")
    args = parser.parse_args()
    for pid, paths in dumps_by_process(args.folder).items():
        print(f"\n## process {pid}: {len(paths)} dumps\n")
        timeline(paths)
        first = paths[min(args.first, len(paths)) - 1]
        last = paths[args.last - 1] if args.last else paths[-1]
        grown_types(first, last, args.top, paths[:: max(1, len(paths) // 8)])
        a, b = first.with_suffix(".tracemalloc"), last.with_suffix(".tracemalloc")
        if a.exists() and b.exists():
            grown_traces(a, b, args.top, args.frames)


if __name__ == "__main__":
    main()
