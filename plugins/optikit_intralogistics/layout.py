"""Travel between stations over a plant layout: shortest-time paths on the aisle graph.

Each aisle segment is driven at the lower of its speed limit and the vehicle's speed, so
the fastest path depends on the vehicle; the distance reported is that path's length.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Arc = tuple[int, float, float]  # (head, metres, speed limit or inf)


def adjacency(num_nodes: int, edges: Sequence[tuple[int, int, float, float, bool]]
              ) -> list[list[Arc]]:
    """Out-arcs per node from ``(tail, head, length, speed_limit, two_way)`` rows."""
    out: list[list[Arc]] = [[] for _ in range(num_nodes)]
    for tail, head, length, limit, two_way in edges:
        out[tail].append((head, length, limit))
        if two_way:
            out[head].append((tail, length, limit))
    return out


def _dijkstra(out: list[list[Arc]], source: int, speed: float
              ) -> tuple[list[float], list[float]]:
    time = [math.inf] * len(out)
    dist = [math.inf] * len(out)
    time[source], dist[source] = 0.0, 0.0
    heap = [(0.0, 0.0, source)]
    while heap:
        t, d, u = heapq.heappop(heap)
        if t > time[u]:
            continue
        for v, length, limit in out[u]:
            nt = t + length / min(limit, speed)
            nd = d + length
            if nt < time[v] - 1e-12 or (abs(nt - time[v]) <= 1e-12 and nd < dist[v]):
                time[v], dist[v] = nt, nd
                heapq.heappush(heap, (nt, nd, v))
    return time, dist


def station_matrices(out: list[list[Arc]], stations: Sequence[int], speed: float
                     ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(distance, time) between the stations' nodes at ``speed`` (inf: unreachable)."""
    n = len(stations)
    dist = np.zeros((n, n))
    time = np.zeros((n, n))
    for i, node in enumerate(stations):
        t, d = _dijkstra(out, node, speed)
        time[i] = [t[s] for s in stations]
        dist[i] = [d[s] for s in stations]
    return dist, time
