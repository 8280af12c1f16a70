"""One BLAS thread for the batched passes' matrix products.

numpy hands a tensor gate's matrix products (a 40 000 × 100 layer times its weights) to its BLAS
library (OpenBLAS), which starts a thread per core and has them spin while they wait for work.
On this project's 2-core machines, with the window's own thread, a training run's thread or
another program busy, those threads fight for the cores: the h = 100 net's pass over a 200 ×
200 grid took 130 ms with OpenBLAS's two threads on a busy machine and 50 ms with one (and the
elementwise work numpy does is single-threaded anyway). ``single_blas_thread`` limits every
BLAS library numpy loaded to one thread, through threadpoolctl (scikit-learn's, made for
exactly this). Like ``keep_freed_memory`` it changes the whole process, so importing the engine
does not do it: the app, the command line and the benchmarks call it at start-up.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits

_limits = None  # kept, so the limit holds for the life of the process


def single_blas_thread() -> None:
    """Limit numpy's BLAS to one thread from now on (once; harmless where there is none)."""
    global _limits
    if _limits is None:
        _limits = threadpool_limits(limits=1, user_api="blas")
