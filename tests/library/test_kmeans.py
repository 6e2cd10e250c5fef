"""KMeans and kmeans_plusplus (chapter 6): the objective, the assignments, the seeding,
restarts, cluster recovery, parity with scikit-learn's inertia, degenerate data, bad input."""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from gmmlib import KMeans, NotFittedError, kmeans_plusplus


@pytest.fixture(autouse=True, scope="module")
def single_threaded_blas():
    """Tiny matrices: BLAS threads only contend on a loaded 2-core machine."""
    with threadpool_limits(limits=1):
        yield


def blobs(seed, n_clusters=4, n_features=2, n_per_cluster=30, separation=10.0, spread=1.0):
    """Blobs whose centres are at least ``separation`` apart, with their true labels."""
    rng = np.random.RandomState(seed)
    centres = np.zeros((0, n_features))
    while len(centres) < n_clusters:  # rejection sampling keeps the centres apart
        candidate = rng.uniform(-4 * separation, 4 * separation, size=(1, n_features))
        if len(centres) == 0 or cdist(candidate, centres).min() >= separation:
            centres = np.vstack([centres, candidate])
    labels = np.repeat(np.arange(n_clusters), n_per_cluster)
    X = centres[labels] + spread * rng.normal(size=(len(labels), n_features))
    return X, labels


def within_cluster_sum_of_squares(X, labels, centers, weights=None):
    """(eq-kmeans-objective), written out plainly: sum_n w_n ||x_n - c_{z_n}||^2."""
    weights = np.ones(len(X)) if weights is None else weights
    return float(np.sum(weights * np.sum((X - centers[labels]) ** 2, axis=1)))


MESSY = [  # overlapping clusters, so that restarts and local optima matter
    blobs(seed, n_clusters=6, n_features=d, n_per_cluster=25, separation=3.0)[0]
    for seed, d in [(0, 2), (1, 3), (2, 1)]
]


# ---------------------------------------------------------------- the objective and the assignments

@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("X", MESSY, ids=["2d", "3d", "1d"])
@pytest.mark.parametrize("weighted", [False, True])
def test_inertia_is_the_within_cluster_sum_of_squares(X, init, weighted):
    weights = np.random.RandomState(0).uniform(0.1, 3, len(X)) if weighted else None
    model = KMeans(5, init=init, random_state=0).fit(X, sample_weight=weights)
    assert model.inertia_ == pytest.approx(
        within_cluster_sum_of_squares(X, model.labels_, model.cluster_centers_, weights), rel=1e-12
    )


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("X", MESSY, ids=["2d", "3d", "1d"])
def test_labels_are_the_nearest_center(X, init):
    model = KMeans(5, init=init, n_init=3, random_state=1).fit(X)
    distances = cdist(X, model.cluster_centers_, "sqeuclidean")
    assert_array_equal(model.labels_, distances.argmin(axis=1))
    assert_array_equal(model.predict(X), model.labels_)
    # and on new points
    new = np.random.RandomState(2).normal(scale=10, size=(50, X.shape[1]))
    assert_array_equal(model.predict(new), cdist(new, model.cluster_centers_).argmin(axis=1))


@pytest.mark.parametrize("X", MESSY, ids=["2d", "3d", "1d"])
def test_converged_centers_are_the_centroids_of_their_clusters(X):
    model = KMeans(5, tol=0.0, max_iter=300, random_state=0).fit(X)
    assert model.n_iter_ < 300  # tol=0 stops only at a fixed point of Lloyd's algorithm
    for k in range(5):
        assert_allclose(model.cluster_centers_[k], X[model.labels_ == k].mean(axis=0))


def test_integer_sample_weight_equals_repeating_rows():
    X = MESSY[0]
    counts = np.random.RandomState(3).randint(0, 4, size=len(X))
    init = X[np.flatnonzero(counts)[:5]]  # an explicit start: no random draws involved
    weighted = KMeans(5, init=init).fit(X, sample_weight=counts)
    repeated = KMeans(5, init=init).fit(np.repeat(X, counts, axis=0))
    assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-12)
    assert_array_equal(weighted.labels_[counts > 0].repeat(counts[counts > 0]), repeated.labels_)


# ---------------------------------------------------------------- k-means++ seeding

@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n_clusters", [1, 4, 10])
def test_kmeans_plusplus_seeds_are_distinct_rows_of_x(seed, n_clusters):
    X = MESSY[seed % 3]
    centers, indices = kmeans_plusplus(X, n_clusters, random_state=seed)
    assert centers.shape == (n_clusters, X.shape[1])
    assert_array_equal(centers, X[indices])
    assert len(set(indices.tolist())) == n_clusters
    assert len(np.unique(centers, axis=0)) == n_clusters


def test_kmeans_plusplus_never_picks_a_duplicate_of_a_seed():
    # 5 distinct points, each repeated 20 times: once a point is a seed, its copies are at
    # distance 0 and must never be drawn again, so 5 seeds are the 5 distinct points
    distinct = blobs(0, n_clusters=5)[0][::30]
    X = np.repeat(distinct, 20, axis=0)
    for seed in range(10):
        centers, _ = kmeans_plusplus(X, 5, random_state=seed)
        assert len(np.unique(centers, axis=0)) == 5


def test_kmeans_plusplus_respects_zero_sample_weight():
    X = MESSY[0]
    weights = np.zeros(len(X))
    weights[::10] = 1.0
    for seed in range(5):
        _, indices = kmeans_plusplus(X, 5, random_state=seed, sample_weight=weights)
        assert np.all(weights[indices] > 0)


def test_kmeans_plusplus_spreads_seeds_over_separated_clusters():
    X, labels = blobs(4, n_clusters=5, separation=30.0)
    for seed in range(10):
        _, indices = kmeans_plusplus(X, 5, random_state=seed)
        assert len(set(labels[indices].tolist())) == 5  # one seed in every cluster


# ---------------------------------------------------------------- restarts

@pytest.mark.parametrize("X", MESSY, ids=["2d", "3d", "1d"])
def test_n_init_keeps_the_best_run(X):
    # Reproduce the n_init runs one by one: KMeans draws every run's seeds from one random
    # state in turn, then runs Lloyd from them.
    rng = np.random.RandomState(7)
    inertias = []
    for _ in range(6):
        centers, _ = kmeans_plusplus(X, 6, random_state=rng)
        inertias.append(KMeans(6, init=centers).fit(X).inertia_)
    assert len(set(np.round(inertias, 9))) > 1, "the runs should differ for this test to mean something"
    best = KMeans(6, n_init=6, random_state=7).fit(X)
    assert best.inertia_ == pytest.approx(min(inertias), rel=1e-12)
    assert best.inertia_ <= KMeans(6, n_init=1, random_state=7).fit(X).inertia_


# ---------------------------------------------------------------- recovery and parity

@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_clusters, n_features", [(2, 1), (3, 2), (5, 3), (4, 5)])
def test_recovers_well_separated_blobs(seed, n_clusters, n_features):
    X, truth = blobs(seed, n_clusters=n_clusters, n_features=n_features, separation=12.0)
    model = KMeans(n_clusters, n_init=3, random_state=seed).fit(X)
    assert adjusted_rand_score(truth, model.labels_) == 1.0


@pytest.mark.parametrize("X", MESSY + [blobs(5, n_clusters=8, n_features=4)[0]],
                         ids=["2d", "3d", "1d", "4d"])
@pytest.mark.parametrize("n_clusters", [3, 6])
def test_inertia_comparable_to_scikit_learn(X, n_clusters):
    ours = KMeans(n_clusters, n_init=10, random_state=0).fit(X).inertia_
    theirs = SklearnKMeans(n_clusters, n_init=10, random_state=0).fit(X).inertia_
    assert ours <= 1.03 * theirs


@pytest.mark.parametrize("factor", [1e100, 1e-100])
def test_extreme_scales(factor):
    X = MESSY[0]
    base = KMeans(4, random_state=0).fit(X)
    scaled = KMeans(4, random_state=0).fit(X * factor)
    assert_array_equal(scaled.labels_, base.labels_)
    assert_allclose(scaled.cluster_centers_ / factor, base.cluster_centers_, rtol=1e-9)
    assert scaled.inertia_ / factor**2 == pytest.approx(base.inertia_, rel=1e-9)


# ---------------------------------------------------------------- degenerate data

@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("n_clusters", [1, 3, 10])
@pytest.mark.parametrize("shape", [(10,), (10, 2)])
def test_identical_points_give_no_nan(shape, n_clusters, init):
    X = np.full(shape, 2.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from 0 / 0 either
        model = KMeans(n_clusters, init=init, n_init=2, random_state=0).fit(X)
        centers, _ = kmeans_plusplus(X, n_clusters, random_state=0)
    assert_allclose(model.cluster_centers_, 2.5)
    assert_allclose(centers, 2.5)
    assert model.inertia_ == 0.0
    assert np.all((model.labels_ >= 0) & (model.labels_ < n_clusters))
    assert_array_equal(model.predict(X), model.labels_)


def test_fewer_distinct_points_than_clusters():
    X = np.repeat([[0.0, 0.0], [5.0, 5.0]], 10, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = KMeans(4, random_state=0).fit(X)
    assert model.inertia_ == pytest.approx(0.0, abs=1e-20)
    assert np.all(np.isfinite(model.cluster_centers_))
    assert len(np.unique(model.labels_)) == 2


# ---------------------------------------------------------------- bad input (KMeans-specific)

BAD_PARAMETERS = [
    ("init", "kmeans", ValueError, "init must be 'k-means\\+\\+', 'random' or an array; got 'kmeans'"),
    ("init", np.zeros((3, 2)), ValueError, r"init array must have shape \(2, 2\); got \(3, 2\)"),
    ("init", np.zeros((2, 3)), ValueError, r"init array must have shape \(2, 2\)"),
    ("init", np.full((2, 2), np.nan), ValueError, "init contains NaN or infinity"),
    ("init", [["a", "b"], ["c", "d"]], TypeError, "init must be numeric"),
    ("n_init", 0, ValueError, "n_init must be an integer >= 1, got 0"),
    ("n_init", 1.5, TypeError, "n_init must be an integer >= 1"),
    ("max_iter", 0, ValueError, "max_iter must be an integer >= 1, got 0"),
    ("max_iter", True, TypeError, "max_iter must be an integer >= 1"),
    ("tol", -1e-4, ValueError, "tol must be a finite number >= 0"),
    ("tol", np.nan, ValueError, "tol must be a finite number >= 0"),
    ("tol", "0", TypeError, "tol must be a non-negative number"),
    ("random_state", "0", TypeError,
     "random_state must be None, an int, a numpy RandomState or a numpy Generator"),
]


@pytest.mark.parametrize(
    "name, value, error, words", BAD_PARAMETERS,
    ids=[f"{name}={value!r}"[:30] for name, value, *_ in BAD_PARAMETERS],
)
def test_kmeans_bad_parameter(name, value, error, words):
    X = MESSY[0]
    model = KMeans(2, **{name: value})
    with pytest.raises(error, match=words):
        model.fit(X)
    assert not hasattr(model, "cluster_centers_")


@pytest.mark.parametrize(
    "value, error", [(0, ValueError), (-2, ValueError), (2.5, TypeError), (True, TypeError), ("3", TypeError)]
)
def test_kmeans_plusplus_bad_n_local_trials(value, error):
    with pytest.raises(error, match="n_local_trials must be an integer >= 1, got " + re.escape(
            repr(value) if error is TypeError else str(value))):
        kmeans_plusplus(MESSY[0], 3, n_local_trials=value)


def test_kmeans_plusplus_bad_random_state():
    with pytest.raises(TypeError, match="random_state must be None, an int, a numpy RandomState"):
        kmeans_plusplus(MESSY[0], 3, random_state=0.5)


def test_kmeans_predict_before_fit_and_with_other_features():
    with pytest.raises(NotFittedError, match=r"This KMeans instance is not fitted yet.*Call fit\(X\)"):
        KMeans(2).predict(MESSY[0])
    model = KMeans(2, random_state=0).fit(MESSY[0])
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 2 features .*fitted with 2"):
        model.predict(MESSY[1])
