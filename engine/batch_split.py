"""A big batched pass, run as chunks of points on two threads.

A pass over a 200 x 200 grid through a layer of 100 units makes arrays of 32 MB: each gate
reads its inputs from main memory and writes its output back, and numpy does each on one core.
Every gate works point by point, though, so a pass can be cut along the points (the first batch
axis) into chunks, each run through the whole circuit on its own with what it makes small
enough to stay in the processor's cache. The chunks are shared between the caller's thread and
one worker thread (numpy lets go of Python's lock while it computes, so both cores work).

- The backward pass for training, which keeps only the sources' gradients, then does about a
  quarter less work, and with a core free takes half the time.
- A forward pass keeps every value, so each chunk's values are copied into arrays over every
  point: that costs about what the cache saves (a quarter more CPU time on the h = 100 net), but
  with a core free the pass takes about two thirds of the time, and on a busy machine no longer.
  The same holds for a backward pass that keeps every node's gradient.

What the passes return does not change: every value and each batched node's gradient point by
point (the chunks' copied into one array), and the gradient of a node no point changes (a
weight) summed over the chunks, in their order: the same sum over the points added up in
another order, so the same up to rounding. A pass is split only when it has at least
``MIN_SPLIT_POINTS`` points and its widest node's values fill two chunks; smaller ones, and
batches that do not split cleanly, run as one pass, as before.

The arrays over every point are made on the caller's thread, from the first chunk's, before the
worker stores anything: glibc gives each thread its own heap, and memory that moved between the
two from one pass to the next would be page-faulted in anew.
"""

from __future__ import annotations

import gc
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

MIN_SPLIT_POINTS = 4096  # fewer points than this: one pass, as before
CHUNK_BYTES = 4 << 20  # about this much per chunk of the widest node's values (measured:
# 4 to 6 MB is quickest on the h = 100 net; 1 MB chunks spend half the time on chunk overhead)

_pool: ThreadPoolExecutor | None = None
_in_chunk = threading.local()  # a chunk's own pass is never split again


def _worker() -> ThreadPoolExecutor | None:
    """The worker thread's pool (made at the first split pass), or None on a single core."""
    global _pool
    if _pool is None and (os.cpu_count() or 1) > 1:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-split")
    return _pool


class _Cut:
    """How a pass is cut: the length ``rows`` of the first batch axis and the chunks' slices."""

    def __init__(self, rows: int, chunks: list[slice]):
        self.rows = rows
        self.chunks = chunks

    def splits(self, value, rank: int) -> bool:
        """Whether ``value`` (of own rank ``rank``) has the batch axis that is cut."""
        return np.ndim(value) > rank and np.shape(value)[0] == self.rows


def _cut(plan, sources: list) -> _Cut | None:
    """How to cut a pass whose sources have these values, or None: run it as one."""
    if getattr(_in_chunk, "busy", False):
        return None
    ranks = plan._ranks
    batches = [np.shape(value)[:np.ndim(value) - ranks[i]] for i, value in sources
               if np.ndim(value) > ranks[i]]
    if not batches:
        return None
    try:
        batch = np.broadcast_shapes(*batches)
    except ValueError:  # batches that do not broadcast: the single pass says so
        return None
    points = math.prod(batch)
    if points < MIN_SPLIT_POINTS:
        return None
    rows = batch[0]
    widest = max((math.prod(shape) for shape in plan.shapes.values()), default=1)
    count = min(rows // 2, math.ceil(points * widest * 8 / CHUNK_BYTES))
    if count < 2:  # a pass this small is quicker whole than cut and put together again
        return None
    bounds = [rows * k // count for k in range(count + 1)]
    return _Cut(rows, [slice(a, b) for a, b in zip(bounds, bounds[1:])])


def _in_chunks(chunks: list[slice], compute, prepare, store) -> list:
    """``store(chunk, compute(chunk))`` for every chunk, in chunk order, the first half on
    this thread and the second on the worker; ``prepare(made)`` with the first chunk's, on this
    thread, before anything is stored (the worker waits for it if it has to)."""
    prepared = threading.Event()
    ready = []  # [True] once ``prepare`` has succeeded

    def lane(lane_chunks: list[slice], leads: bool) -> list:
        _in_chunk.busy = True
        stored = []
        try:
            for chunk in lane_chunks:
                made = compute(chunk)
                if leads and not prepared.is_set():
                    try:
                        prepare(made)
                        ready.append(True)
                    finally:
                        prepared.set()
                prepared.wait()
                if not ready:  # the first chunk failed: its error is the pass's
                    break
                stored.append(store(chunk, made))
        finally:
            _in_chunk.busy = False
            if leads:
                prepared.set()
        return stored

    middle = (len(chunks) + 1) // 2
    worker = _worker()
    if worker is None:  # one core: the chunks one after the other, on this thread
        return lane(chunks[:middle], True) + lane(chunks[middle:], False)
    # No automatic garbage collection while the worker runs: a collection runs in whichever
    # thread allocates, and in the app the garbage may hold Qt objects, which must be destroyed
    # in their own thread. It is turned back on here, on the caller's thread, once both lanes
    # are done (if it was on: the app may have paused it itself).
    collecting = gc.isenabled()
    gc.disable()
    try:
        theirs = worker.submit(lane, chunks[middle:], False)
        try:
            mine = lane(chunks[:middle], True)
        except BaseException:
            wait([theirs])
            raise
        return mine + theirs.result()
    finally:
        if collecting:
            gc.enable()


def _maybe_big(values) -> bool:
    """Whether one of ``values`` is an array big enough to be worth a closer look (a grid of
    4096 points may be made of a row and a column of 64)."""
    return any(type(value) is np.ndarray and value.size >= 64 for value in values)


def forward(plan, overrides: dict) -> list | None:
    """``plan.reference_forward(overrides)`` in chunks, or None where the pass is not split."""
    if not _maybe_big(overrides.values()) or not plan.index.keys() >= overrides.keys():
        return None
    cut = _cut(plan, [(plan.index[key], value) for key, value in overrides.items()])
    if cut is None:
        return None
    sources = plan.source_values(overrides)
    ranks = plan._ranks
    cut_ids = {plan.nodes[i].id for i, value in sources if cut.splits(value, ranks[i])}
    is_source = [False] * len(ranks)
    for i, _value in sources:
        is_source[i] = True
    values = []
    joined = []  # the gates whose values are made chunk by chunk

    def compute(chunk: slice) -> list:
        return plan.reference_forward({key: value[chunk] if key in cut_ids else value
                                       for key, value in overrides.items()})

    def prepare(first: list) -> None:
        values.extend(first)
        length = cut.chunks[0].stop
        for i, value in enumerate(first):
            if not is_source[i] and np.ndim(value) > ranks[i] and len(value) == length:
                values[i] = np.empty((cut.rows,) + value.shape[1:], dtype=value.dtype)
                joined.append(i)
        for i, value in sources:
            values[i] = value

    def store(chunk: slice, made: list) -> None:
        for i in joined:
            values[i][chunk] = made[i]

    _in_chunks(cut.chunks, compute, prepare, store)
    return values


def backward(plan, values: list, seed, sources_only: bool) -> list | None:
    """``plan.reference_backward(values, seed, ...)`` in chunks, or None where the pass is
    not split."""
    sources = [(i, values[i]) for i, _node in plan.sources]
    if not _maybe_big(value for _i, value in sources):
        return None
    cut = _cut(plan, sources)
    if cut is None:
        return None
    ranks, out = plan._ranks, plan.output_index
    seed_cut = seed is not None and np.ndim(seed) > ranks[out] and np.shape(seed)[0] != 1
    if seed_cut and not (cut.splits(seed, ranks[out]) and cut.splits(values[out], ranks[out])):
        return None  # a seed that does not fit the output's points: one pass says so
    cut_nodes = [cut.splits(value, rank) for value, rank in zip(values, ranks)]
    grads = [None] * len(values)
    joined = []  # the nodes whose gradients are made chunk by chunk, point by point

    def compute(chunk: slice) -> list:
        part = [value[chunk] if is_cut else value for value, is_cut in zip(values, cut_nodes)]
        return plan.reference_backward(part, seed[chunk] if seed_cut else seed,
                                       sources_only=sources_only)

    def prepare(first: list) -> None:
        for i, grad in enumerate(first):
            if cut_nodes[i] and np.ndim(grad) == np.ndim(values[i]):
                grads[i] = np.empty(np.shape(values[i]), dtype=grad.dtype)
                joined.append(i)

    def store(chunk: slice, made: list) -> list:
        for i in joined:
            grads[i][chunk] = made[i]
            made[i] = None
        return made  # what is left: the gradients summed over the chunk's points

    for made in _in_chunks(cut.chunks, compute, prepare, store):
        for i, grad in enumerate(made):
            if grad is not None:
                grads[i] = grad if grads[i] is None else grads[i] + grad
    return grads
