"""Memory probe for the Daphne processes of the load test (bench/load/run.py
--memory-dumps): on SIGUSR1 the process writes what it holds to
$LOAD_MEMORY_DIR, so that the run can tell warm-up from a leak and a later
dump can be compared with an earlier one (bench/load/memdiff.py).

Loaded as `sitecustomize` only because run.py puts this folder first on the
Daphne processes' PYTHONPATH; without LOAD_MEMORY_DIR it does nothing. A dump
is written in the main thread (the reactor's), between two of its callbacks.
"""

import ctypes
import gc
import json
import os
import signal
import sys
import threading
import time
import tracemalloc
from collections import Counter

_DIR = os.environ.get("LOAD_MEMORY_DIR")
# Frames per traced allocation (run.py --tracemalloc). Tracing starts at the
# first dump, not at startup (PYTHONTRACEMALLOC): traced from the first
# import, Daphne took longer to listen than the run waits for, and what a
# leak leaves is allocated under traffic anyway.
_FRAMES = int(os.environ.get("LOAD_TRACEMALLOC") or 0)
# Module-level containers keyed per loop, per board or per event: their
# sizes are written with every dump (a module not imported yet is skipped).
_WATCHED = {
    "realtime.services": ["_pending"],
    "realtime.consumers": ["_boards", "_presence_planned", "_presence_last", "_heads"],
    # A thread (and an executor) per request context: Django's ASGI handler
    # enters a ThreadSensitiveContext per request.
    "asgiref.sync": ["SyncToAsync.context_to_thread_executor", "AsyncToSync.context_to_thread_executor"],
}


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def _malloc() -> dict:
    """glibc's totals over all arenas: what the heap holds for Python and C
    (in use) against what it keeps free, which RSS counts too."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    return {"heap_mib": info.arena / 2**20, "mmap_mib": info.hblkhd / 2**20,
            "in_use_mib": info.uordblks / 2**20, "free_mib": info.fordblks / 2**20}


def _rss_mib() -> int:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def _mappings() -> dict:
    """Resident MiB by kind of mapping: glibc's main heap, anonymous maps
    (pymalloc's arenas, the other threads' malloc arenas, big blocks),
    files (code, shared libraries) and the rest (stacks, vdso)."""
    kinds = Counter()
    kind = "other"
    with open(f"/proc/{os.getpid()}/smaps") as smaps:
        for line in smaps:
            head = line.split()
            if not head[0].endswith(":"):  # a mapping's first line: address range, ..., path
                path = head[5] if len(head) > 5 else ""
                kind = "heap" if path == "[heap]" else "anon" if not path else "file" if path.startswith("/") else "other"
            elif head[0] == "Rss:":
                kinds[kind] += int(head[1]) / 1024
    return {k: round(v, 1) for k, v in kinds.items()}


def _watched() -> dict:
    sizes = {}
    for module_name, names in _WATCHED.items():
        module = sys.modules.get(module_name)
        for name in names:
            value = module
            for part in name.split("."):
                value = getattr(value, part, None)
            if value is not None:
                inner = sum(len(v) for v in value.values() if hasattr(v, "__len__")) if hasattr(value, "values") else None
                sizes[f"{module_name}.{name}"] = [len(value), inner]
    return sizes


def _dump(_signum=None, _frame=None) -> None:
    _dump.count += 1
    stem = os.path.join(_DIR, f"{os.getpid()}-{_dump.count:03d}")
    t0 = time.perf_counter()
    objects = gc.get_objects()
    types = Counter(type(obj).__qualname__ if type(obj).__module__ == "builtins"
                    else f"{type(obj).__module__}.{type(obj).__qualname__}" for obj in objects)
    del objects
    facts = {
        "at": time.time(), "rss_mib": _rss_mib(), "mappings": _mappings(), "malloc": _malloc(),
        "pymalloc_blocks": sys.getallocatedblocks(), "gc_objects": sum(types.values()),
        "gc_garbage": len(gc.garbage), "threads": sorted(Counter(
            t.name.rstrip("0123456789_-") for t in threading.enumerate()).items()),
        "watched": _watched(), "types": dict(types),
    }
    if _FRAMES and not tracemalloc.is_tracing():
        tracemalloc.start(_FRAMES)
    elif tracemalloc.is_tracing():
        current, _peak = tracemalloc.get_traced_memory()
        facts["traced_mib"] = current / 2**20
        tracemalloc.take_snapshot().dump(stem + ".tracemalloc")
    facts["dump_seconds"] = time.perf_counter() - t0
    with open(stem + ".json", "w") as out:
        json.dump(facts, out)


_dump.count = 0
if _DIR:
    signal.signal(signal.SIGUSR1, _dump)
