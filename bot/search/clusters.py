"""Grouping questions by meaning: average-linkage agglomerative clustering on cosine similarity (numpy only).

Each question starts as its own group; the two groups whose questions are most alike on average merge, again and
again, until no two groups are alike above `threshold`. Average linkage keeps one odd question from chaining two
topics together (single linkage would), and needs no number of groups up front (k-means would). Deterministic:
ties go to the lower index. O(n²) memory and about n merges of an O(n²) argmax: fine for the few thousand
questions a commune or province leaves unanswered in a retention period (the caller caps n).
"""

from __future__ import annotations

import numpy as np


def agglomerate(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of row indices of `vectors` (L2-normalised rows), each sorted, in the order of their first row."""
    n = int(vectors.shape[0])
    if n == 0:
        return []
    sim = (vectors @ vectors.T).astype(np.float64)
    np.fill_diagonal(sim, -np.inf)
    sizes = np.ones(n)
    members: list[list[int]] = [[i] for i in range(n)]
    while n > 1:
        i, j = divmod(int(np.argmax(sim)), n)
        if sim[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)  # j joins i
        row = (sizes[i] * sim[i] + sizes[j] * sim[j]) / (sizes[i] + sizes[j])
        row[[i, j]] = -np.inf
        sim[i, :] = row
        sim[:, i] = row
        sim[j, :] = -np.inf
        sim[:, j] = -np.inf
        sizes[i] += sizes[j]
        members[i] += members[j]
        members[j] = []
    return sorted((sorted(m) for m in members if m), key=lambda m: m[0])
