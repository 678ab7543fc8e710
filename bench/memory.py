"""Peak memory of the current process, measured so that a parent's size never leaks in."""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb() -> float:
    """This process's own resident high-water mark (VmHWM), in MB.

    `getrusage().ru_maxrss` is not used: Linux carries the parent's high-water mark into a child
    across fork and exec, so a child started by a large benchmark runner would report the
    runner's size instead of its own.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
