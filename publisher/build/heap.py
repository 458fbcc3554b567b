"""Memory the build frees goes back to the system (glibc's malloc), so that it is not counted
in the build's peak.

glibc adapts its thresholds as a program runs: each time a large block it had mapped is
freed, blocks up to that size come from its heap afterwards, and memory freed at the top of
the heap is returned only once 2x that size is free there (up to 64 MB). A build frees many
large blocks (the feeds, the pages the workers send back, the cache's text), so a cold build of
10,000 episodes kept ~27 MB it no longer used at its peak: 302 MB, 275 MB with the thresholds
fixed (issue 11). :func:`return_freed_memory` fixes them at glibc's defaults (128 KiB), as
``MALLOC_TRIM_THRESHOLD_`` in the environment would; elsewhere (macOS, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD = -1  # <malloc.h>; setting it also stops glibc adapting M_MMAP_THRESHOLD
TRIM_THRESHOLD = 128 * 1024  # glibc's default


def return_freed_memory() -> bool:
    """Fix glibc's malloc thresholds at their defaults for the rest of the process; whether
    it did (False elsewhere than on glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)  # this process's own symbols: no library search
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return False  # not glibc
    return bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
