"""k-means: Lloyd's algorithm with k-means++ seeding (chapter 6).

k-means is the small-variance limit of EM for a mixture with shared spherical
covariances sigma^2 I: responsibilities become hard nearest-mean assignments
(the E-step) and the means become centroids (the M-step).  It minimises the
within-cluster sum of squares (eq-kmeans-objective).
"""

import numpy as np

from ._validation import (
    check_data,
    check_is_fitted,
    check_n_features,
    check_nonnegative_real,
    check_positive_int,
    check_random_state,
    check_sample_weight,
)
from ._params import ParamsMixin
from .densities import CHUNK_ROWS


def squared_distances(X, centers):
    """``||x_n - c_k||^2`` for every point and center, shape (N, K), computed in blocks."""
    distances = np.empty((X.shape[0], centers.shape[0]))
    for start in range(0, X.shape[0], CHUNK_ROWS):
        block = X[start : start + CHUNK_ROWS]
        differences = block[:, np.newaxis, :] - centers[np.newaxis, :, :]
        distances[start : start + CHUNK_ROWS] = np.einsum("nkd,nkd->nk", differences, differences)
    return distances


def kmeans_plusplus(X, n_clusters, random_state=None, sample_weight=None, n_local_trials=None):
    """Choose ``n_clusters`` rows of X as seeds by greedy k-means++ (Arthur & Vassilvitskii 2007).

    The first seed is drawn uniformly (weighted by ``sample_weight``); each next seed is drawn
    with probability proportional to its squared distance to the nearest seed so far.  The
    greedy variant draws ``2 + log(k)`` candidates and keeps the one that lowers the
    objective most, as scikit-learn does.

    Returns
    -------
    centers : ndarray (n_clusters, d)
    indices : ndarray (n_clusters,), the rows of X chosen
    """
    X = check_data(X)
    n_clusters = check_positive_int(n_clusters, "n_clusters")
    if n_clusters > X.shape[0]:
        raise ValueError(
            f"n_clusters={n_clusters} exceeds the number of samples ({X.shape[0]}); "
            "use at most as many clusters as points."
        )
    rng = check_random_state(random_state)
    weight = check_sample_weight(sample_weight, X.shape[0])
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    n_local_trials = check_positive_int(n_local_trials, "n_local_trials")
    indices = [rng.choice(X.shape[0], p=weight / weight.sum())]
    closest_sq = squared_distances(X, X[indices])[:, 0]
    for _ in range(1, n_clusters):
        # Draw candidates with probability proportional to weight * squared distance, by
        # inverting the cumulative sum at uniform points (the same draws as scikit-learn).
        potential = np.cumsum(weight * closest_sq)
        if potential[-1] > 0:
            targets = rng.uniform(size=n_local_trials) * potential[-1]
            candidates = np.minimum(np.searchsorted(potential, targets), X.shape[0] - 1)
        else:  # every point already sits on a seed: any point will do
            candidates = rng.choice(X.shape[0], size=n_local_trials, p=weight / weight.sum())
        candidate_sq = np.minimum(closest_sq[:, np.newaxis], squared_distances(X, X[candidates]))
        best = int(np.argmin(weight @ candidate_sq))
        indices.append(candidates[best])
        closest_sq = candidate_sq[:, best]
    indices = np.asarray(indices)
    return X[indices].copy(), indices


class KMeans(ParamsMixin):
    """k-means clustering by Lloyd's algorithm, seeded by k-means++ (chapter 6).

    Parameters mirror ``sklearn.cluster.KMeans``.

    Parameters
    ----------
    n_clusters : int, default 8
    init : {'k-means++', 'random'} or array of shape (n_clusters, d), default 'k-means++'
    n_init : int, default 1
        Runs from different seeds; the one with the lowest inertia is kept.
    max_iter : int, default 300
    tol : float, default 1e-4
        Stop when the centers move (squared Frobenius norm) by less than
        ``tol`` times the mean per-feature variance of X.
    random_state : None, int, numpy RandomState or numpy Generator

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, d)
    labels_ : ndarray (N,)
    inertia_ : float, the within-cluster sum of squares (eq-kmeans-objective)
    n_iter_ : int
    n_features_in_ : int
    """

    _estimator_type = "clusterer"  # as sklearn.cluster.KMeans
    _fitted_attribute = "cluster_centers_"

    def __init__(self, n_clusters=8, *, init="k-means++", n_init=1, max_iter=300, tol=1e-4,
                 random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None):
        """Cluster X; returns self."""
        X = check_data(X)
        n_clusters = check_positive_int(self.n_clusters, "n_clusters")
        n_init = check_positive_int(self.n_init, "n_init")
        max_iter = check_positive_int(self.max_iter, "max_iter")
        tol = check_nonnegative_real(self.tol, "tol")
        if X.shape[0] < n_clusters:
            raise ValueError(
                f"n_clusters={n_clusters} needs at least that many samples; X has {X.shape[0]}. "
                "Use fewer clusters or more data."
            )
        weight = check_sample_weight(sample_weight, X.shape[0])
        rng = check_random_state(self.random_state)
        threshold = tol * np.mean(np.var(X, axis=0))
        best = None
        for _ in range(n_init):
            centers = self._initial_centers(X, n_clusters, rng, weight)
            result = _lloyd(X, centers, weight, max_iter, threshold)
            if best is None or result[2] < best[2]:
                best = result
        self.cluster_centers_, self.labels_, self.inertia_, self.n_iter_ = best
        self.n_features_in_ = X.shape[1]
        return self

    def _initial_centers(self, X, n_clusters, rng, weight):
        if isinstance(self.init, str):
            if self.init == "k-means++":
                return kmeans_plusplus(X, n_clusters, rng, weight)[0]
            if self.init == "random":
                return X[rng.choice(X.shape[0], size=n_clusters, replace=False)].copy()
            raise ValueError(f"init must be 'k-means++', 'random' or an array; got {self.init!r}.")
        centers = check_data(self.init, "init")
        if centers.shape != (n_clusters, X.shape[1]):
            raise ValueError(
                f"init array must have shape ({n_clusters}, {X.shape[1]}); got {centers.shape}."
            )
        return centers.copy()

    def predict(self, X):
        """Index of the nearest center for each row of X."""
        check_is_fitted(self, "cluster_centers_")
        X = check_data(X)
        check_n_features(X, self.n_features_in_, estimator=self)
        return np.argmin(squared_distances(X, self.cluster_centers_), axis=1)

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return the labels of X."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def score(self, X, y=None, sample_weight=None):
        """Minus the within-cluster sum of squares (eq-kmeans-objective) of X; higher is better.

        As ``sklearn.cluster.KMeans.score``, so that model selection (``GridSearchCV``,
        ``cross_val_score``) can compare fits of k-means.
        """
        check_is_fitted(self, "cluster_centers_")
        X = check_data(X)
        check_n_features(X, self.n_features_in_, estimator=self)
        weight = check_sample_weight(sample_weight, X.shape[0])
        return -float(weight @ squared_distances(X, self.cluster_centers_).min(axis=1))


def _lloyd(X, centers, weight, max_iter, threshold):
    """Alternate nearest-center assignment and centroid update until the centers settle."""
    for n_iter in range(1, max_iter + 1):
        distances = squared_distances(X, centers)
        labels = np.argmin(distances, axis=1)
        new_centers = _centroids(X, labels, weight, centers, distances)
        shift = np.sum((new_centers - centers) ** 2)
        centers = new_centers
        if shift <= threshold:
            break
    distances = squared_distances(X, centers)
    labels = np.argmin(distances, axis=1)
    inertia = float(weight @ distances[np.arange(X.shape[0]), labels])
    return centers, labels, inertia, n_iter


def _centroids(X, labels, weight, old_centers, distances):
    """Weighted mean of each cluster; an empty cluster moves to the worst-served point."""
    n_clusters = old_centers.shape[0]
    totals = np.bincount(labels, weights=weight, minlength=n_clusters)
    sums = np.stack(
        [np.bincount(labels, weights=column * weight, minlength=n_clusters) for column in X.T], axis=1
    )
    centers = old_centers.copy()
    filled = totals > 0
    centers[filled] = sums[filled] / totals[filled, np.newaxis]
    empty = np.flatnonzero(~filled)
    if empty.size:
        farthest = np.argsort(distances[np.arange(X.shape[0]), labels])[::-1][: empty.size]
        centers[empty] = X[farthest]
    return centers
