"""Keeping freed memory in the process, so that batched passes do not page-fault it in anew.

A pass over a 200 x 200 grid makes a few hundred arrays of 320 KB and frees them when it ends.
glibc's malloc hands freed memory at the top of its heap back to the system once there is more
than its trim threshold of it (128 KB, raised only to twice the largest block freed), so the
next pass gets fresh pages from the kernel and takes a page fault at the first touch of each:
measured on the 16-unit net over the grid, 2 000 to 15 000 faults a pass, half or more of its
time. ``keep_freed_memory`` raises the trim threshold, and the size from which a block gets a
mapping of its own (a mapping is faulted in anew at every use; a 100-unit hidden layer's values
over the grid are 32 MB). The process then keeps up to ``RETAINED`` bytes it does not use at
the moment: after a pass it stays at the size of its peak. Elsewhere than on glibc it does
nothing. It changes the whole process's allocator, so importing the engine does not do it: the
app (main.py) and the command line call it at start-up; a notebook may call it too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

RETAINED = 1024 * 2**20  # free memory the heap may keep for the next pass
OWN_MAPPING_FROM = 256 * 2**20  # blocks this big or bigger get a mapping of their own
OLD_GLIBC_MAPPING_LIMIT = 32 * 2**20  # the most older glibc releases accept

_M_TRIM_THRESHOLD = -1  # mallopt's parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3

_done = False


def keep_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse (once); False where it cannot."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mapping_set = (mallopt(_M_MMAP_THRESHOLD, OWN_MAPPING_FROM)
                   or mallopt(_M_MMAP_THRESHOLD, OLD_GLIBC_MAPPING_LIMIT))
    _done = bool(mapping_set and mallopt(_M_TRIM_THRESHOLD, RETAINED))
    return _done
