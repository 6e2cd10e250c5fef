"""Fixtures shared by the library tests."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def X2():
    """Three well-separated 2-D clusters of 60 points (seeded): the explorers' and the
    k-means-limit tests' common data."""
    rng = np.random.default_rng(0)
    return np.vstack([
        rng.normal([0.0, 0.0], 1.0, (60, 2)),
        rng.normal([5.0, 1.0], 0.7, (60, 2)),
        rng.normal([2.0, 5.0], [1.5, 0.5], (60, 2)),
    ])
