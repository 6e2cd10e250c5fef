"""The k-means limit of EM (chapter 6): every covariance fixed at sigma^2 I.

``fixed_variance_em`` runs EM for a mixture whose components all share one covariance
``sigma^2 I`` that is chosen, not fitted.  Its E-step is the library's one E-step,
``gmmlib.responsibilities`` (eq-responsibility) with ``Sigma_k = sigma^2 I``; as
sigma^2 -> 0 the responsibilities become one-hot nearest-mean assignments and EM becomes
k-means (eq-kmeans-objective).  ``gmmlib.widgets.KMeansLimitExplorer`` draws its results.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import (
    as_float_array,
    check_data,
    check_means,
    check_nonnegative_real,
    check_positive_int,
)
from .em import responsibilities

__all__ = ["FixedVarianceEM", "fixed_variance_em"]

# A component whose total responsibility N_k is below this has no points: its mean is
# undefined, so it keeps the previous one.
EMPTY_COMPONENT = 1e-12


@dataclass(frozen=True)
class FixedVarianceEM:
    """What ``fixed_variance_em`` returns; the leading axis runs over the sigma^2 values.

    Attributes
    ----------
    sigma2 : ndarray (S,)
    weights : ndarray (S, K)
    means : ndarray (S, K, d)
    responsibilities : ndarray (S, N, K)
        The E-step under the returned means and weights.
    n_iter : int
        EM iterations run (the slowest sigma^2 decides).
    """

    sigma2: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    responsibilities: np.ndarray
    n_iter: int


def fixed_variance_em(X, means, sigma2, *, update_weights=False, max_iter=100, tol=1e-8):
    """EM for a mixture whose covariances are all fixed at sigma^2 I (chapter 6).

    E-step: ``gmmlib.responsibilities`` (eq-responsibility) with ``Sigma_k = sigma^2 I``,
    which reduces to (eq-kmeans-shared-variance-responsibility) because the normalising
    constants of equal-variance components cancel.  M-step: the means by
    (eq-m-step-means); the weights by (eq-m-step-weights) when ``update_weights``, else
    held at 1/K; the covariances stay at sigma^2 I.  As sigma^2 -> 0 the responsibilities
    become one-hot nearest-mean assignments and EM becomes k-means (eq-kmeans-objective).

    Each sigma^2 is an EM run of its own from the same starting means, stopped when no
    mean moves by more than ``tol`` times the data's spread.  A component that receives
    no responsibility keeps its previous mean.

    Parameters
    ----------
    X : array-like (N, d) or (N,)
    means : array-like (K, d), or (K,) for 1-D data
        The starting means.
    sigma2 : float or array-like (S,)
        Shared variances, each > 0.
    update_weights : bool, default False
    max_iter : int, default 100
        0 gives only the E-step under the given means.
    tol : float, default 1e-8

    Returns
    -------
    FixedVarianceEM
        Arrays with a leading sigma^2 axis (dropped when ``sigma2`` is a scalar).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([-3.0, -2.5, -1.0, 0.0, 2.0, 4.0, 5.0])
    >>> fixed_variance_em(X, [-2.0, 3.0], 1e-4).means.ravel().round(3)
    array([-1.625,  3.667])
    """
    X = check_data(X)
    start = check_start_means(means, X.shape[1])
    scalar = np.ndim(sigma2) == 0
    sigma2 = check_sigma2_values(sigma2, "sigma2")
    if not isinstance(update_weights, (bool, np.bool_)):
        raise TypeError(f"update_weights must be True or False, got {update_weights!r}.")
    max_iter = check_positive_int(max_iter, "max_iter", minimum=0)
    tol = check_nonnegative_real(tol, "tol")

    runs = [_em_at_one_variance(X, start, value, bool(update_weights), max_iter, tol)
            for value in sigma2]
    weights, fitted_means, resp, n_iters = (np.stack(parts) for parts in zip(*runs))
    n_iter = int(n_iters.max())
    if scalar:
        return FixedVarianceEM(float(sigma2[0]), weights[0], fitted_means[0], resp[0], n_iter)
    return FixedVarianceEM(sigma2, weights, fitted_means, resp, n_iter)


def _em_at_one_variance(X, means, sigma2, update_weights, max_iter, tol):
    """One EM run with covariances sigma^2 I: (weights, means, responsibilities, n_iter)."""
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    covariances = np.broadcast_to(sigma2 * np.eye(n_features),
                                  (n_components, n_features, n_features))
    weights = np.full(n_components, 1.0 / n_components)
    spread = max(float(np.sqrt(((X - X.mean(axis=0)) ** 2).sum(axis=1).mean())),
                 np.finfo(float).tiny)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        resp = responsibilities(X, weights, means, covariances)
        n_per_component = resp.sum(axis=0)  # eq-m-step-nk
        occupied = n_per_component > EMPTY_COMPONENT
        counts = np.where(occupied, n_per_component, 1.0)[:, np.newaxis]
        new_means = np.where(occupied[:, np.newaxis], resp.T @ X / counts, means)  # eq-m-step-means
        if update_weights:
            weights = n_per_component / n_samples  # eq-m-step-weights
        shift = np.abs(new_means - means).max()
        means = new_means
        if shift <= tol * spread:
            break
    return weights, means, responsibilities(X, weights, means, covariances), n_iter


def check_start_means(means, n_features):
    """Starting means as (K, d); a (K,) vector is accepted for 1-D data."""
    means = as_float_array(means, "means")
    if n_features == 1 and means.ndim == 1:
        means = means[:, np.newaxis]
    if means.ndim != 2 or means.shape[0] < 1:
        raise ValueError(
            f"means must have shape (K, {n_features}) = (n_components, n_features); "
            f"got {means.shape}."
        )
    return check_means(means, means.shape[0], n_features, "means")


def check_sigma2_values(sigma2, name):
    """Shared variances as a 1-D array of positive numbers."""
    values = as_float_array(sigma2, name).reshape(-1)
    if values.size == 0:
        raise ValueError(f"{name} is empty; give at least one variance > 0.")
    if np.any(values <= 0):
        raise ValueError(
            f"{name} must be variances > 0; got min {values.min():.3g}. "
            "The k-means limit is sigma^2 -> 0, approached but not reached."
        )
    return values
