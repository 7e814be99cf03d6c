"""The selection of the spike defaults (benchmarks/cv_spikes.py): a broad good region beats a lone peak."""

import numpy as np

from benchmarks import cv_spikes


def test_neighbours_prefer_a_broad_region_over_a_lone_peak() -> None:
    dims = [len(values) for values in cv_spikes.GRID.values()]
    objective = np.zeros(dims)
    peak = tuple(n - 1 for n in dims)  # a lucky corner, bad all around
    objective[peak] = 10.0
    centre = tuple(1 for _ in dims)  # slightly lower, and as good one step away along every setting
    objective[centre] = 6.0
    for axis in range(len(dims)):
        for step in (-1, 1):
            cell = list(centre)
            cell[axis] += step
            objective[tuple(cell)] = 6.0
    flat, allowed = objective.ravel(), np.ones(objective.size, dtype=bool)
    best = {name: np.unravel_index(np.argmax(cv_spikes.plateau(flat, allowed, name)), dims)
            for name in ("alone", "neighbours")}
    assert best["alone"] == peak
    assert best["neighbours"] == centre


def test_other_series_join_the_training_pool_with_their_weight() -> None:
    # (raw, null, perfect, tp, fp, windows) of one combination on one series, for both profiles
    tweets = np.array([[[[5.0, -10.0, 10.0, 0, 0, 1]] * 2]])
    other = np.array([[[[-10.0, -10.0, 10.0, 0, 0, 1]] * 2]])
    assert np.allclose(cv_spikes.normalised(tweets), 75.0)
    assert np.allclose(cv_spikes.normalised(tweets, other, 0.0), 75.0)
    # half a series that found nothing: (15 + 0) / (20 + 10) of the way from null to perfect
    assert np.allclose(cv_spikes.normalised(tweets, other, 0.5), 50.0)
