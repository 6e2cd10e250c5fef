"""Initial responsibilities for EM, one per ``init_params`` choice (chapter 7).

Every method produces an (N, K) responsibility matrix; one M-step on it then gives the
starting weights, means and covariances, exactly as scikit-learn initialises.
"""

import numpy as np

from .kmeans import KMeans, kmeans_plusplus

INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")


def initial_responsibilities(X, n_components, init_params, random_state, sample_weight=None):
    """Responsibilities to start EM from.

    * ``'kmeans'``: one-hot labels of a k-means clustering (k-means++ seeded Lloyd).
    * ``'k-means++'``: one-hot on the k-means++ seeds only (each seed point is its own component).
    * ``'random'``: uniform random numbers, each row normalised to sum to 1.
    * ``'random_from_data'``: one-hot on K distinct points drawn uniformly.
    """
    n_samples = X.shape[0]
    resp = np.zeros((n_samples, n_components))
    if init_params == "kmeans":
        kmeans = KMeans(n_clusters=n_components, n_init=1, random_state=random_state)
        labels = kmeans.fit(X, sample_weight=sample_weight).labels_
        resp[np.arange(n_samples), labels] = 1.0
    elif init_params == "k-means++":
        _, indices = kmeans_plusplus(X, n_components, random_state, sample_weight)
        resp[indices, np.arange(n_components)] = 1.0
    elif init_params == "random":
        resp = random_state.uniform(size=(n_samples, n_components))
        resp /= resp.sum(axis=1, keepdims=True)
    else:
        indices = random_state.choice(n_samples, size=n_components, replace=False)
        resp[indices, np.arange(n_components)] = 1.0
    return resp
