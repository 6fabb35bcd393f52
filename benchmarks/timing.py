"""Shared by the benchmark scripts: the median of repeated timings."""
import statistics
import time as clock


def median_ms(function, repeat: int) -> float:
    """Median wall time in ms of ``repeat`` calls, after one call that warms caches and connections."""
    function()
    times = []
    for _ in range(repeat):
        started = clock.perf_counter()
        function()
        times.append((clock.perf_counter() - started) * 1000)
    return statistics.median(times)
