"""The EM algorithm for Gaussian mixtures as four teaching primitives.

Each function is one equation of chapters 2-4, written for full covariance
matrices and plain (unweighted) data:

* ``mixture_logpdf``    (eq-mixture-density)     log p(x_n | theta) for every point
* ``log_likelihood``    (eq-log-likelihood)      log p(X | theta), a total over points
* ``responsibilities``  (eq-responsibility)      the E-step
* ``m_step``            (eq-m-step-nk), (eq-m-step-means), (eq-m-step-covariances),
                        (eq-m-step-weights)      the M-step
* ``em``                the algorithm box of chapter 4, with the history of every iteration

Shapes: X is (N, d), or (N,) for N one-dimensional samples; weights (K,), means (K, d),
covariances (K, d, d).  When X is one-dimensional, means and covariances may be given,
and are returned, as (K,) vectors of means and variances, as in the book's 1-D examples.
"""

from dataclasses import dataclass

import numpy as np

from ._validation import (
    as_float_array,
    check_covariances,
    check_data,
    check_means,
    check_nonnegative_real,
    check_positive_int,
    check_weights,
)
from .covariances import estimate_parameters
from .densities import component_log_densities, normalise_log_inplace


@dataclass(frozen=True)
class EMIteration:
    """The parameters after one EM iteration (iteration 0 = the initial parameters).

    ``log_likelihood`` is the log-likelihood of exactly these parameters: a total over
    points in ``em``, and a per-point average (the units of ``lower_bound_``) in
    ``GaussianMixture.history_``.
    """

    iteration: int
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    log_likelihood: float


@dataclass(frozen=True)
class EMResult:
    """What ``em`` returns: the fitted parameters, whether it converged, and the history."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    log_likelihood: float
    n_iter: int
    converged: bool
    history: list


def _check_mixture(X, weights, means, covariances):
    """Validate data and parameters together; return arrays and whether X was 1-D."""
    X, one_dimensional = check_data(X), np.ndim(X) == 1
    weights = as_float_array(weights, "weights")
    if weights.ndim != 1 or weights.size == 0:
        raise ValueError(
            "weights must be a 1-D array with one mixing weight per component, shape (K,); "
            f"got shape {weights.shape}."
        )
    n_components = len(weights)
    weights = check_weights(weights, n_components)
    means = check_means(means, n_components, X.shape[1])
    covariances = check_covariances(covariances, n_components, X.shape[1])
    return X, weights, means, covariances, one_dimensional


def _weighted_log_densities(X, weights, means, covariances):
    """log pi_k + log N(x_n | mu_k, Sigma_k), shape (N, K): the numerator of (eq-responsibility)."""
    with np.errstate(divide="ignore"):  # a weight of exactly 0 gives log 0 = -inf, which is right
        log_weights = np.log(weights)
    return log_weights + component_log_densities(X, means, covariances)


def mixture_logpdf(X, weights, means, covariances):
    """Log-density of the mixture at every point, (eq-mixture-density).

    ``log p(x_n) = log sum_k pi_k N(x_n | mu_k, Sigma_k)``, by log-sum-exp.

    Returns
    -------
    log_density : ndarray of shape (N,)
    """
    X, weights, means, covariances, _ = _check_mixture(X, weights, means, covariances)
    return normalise_log_inplace(_weighted_log_densities(X, weights, means, covariances), axis=1)


def log_likelihood(X, weights, means, covariances):
    """Total incomplete-data log-likelihood, (eq-log-likelihood).

    ``log p(X | theta) = sum_n log sum_k pi_k N(x_n | mu_k, Sigma_k)``, the inner sum done
    by log-sum-exp so that tiny densities do not underflow to log 0.

    Returns
    -------
    float
    """
    return float(np.sum(mixture_logpdf(X, weights, means, covariances)))


def responsibilities(X, weights, means, covariances):
    """Posterior probability that component k generated point n, (eq-responsibility).

    ``r_nk = pi_k N(x_n | mu_k, Sigma_k) / sum_j pi_j N(x_n | mu_j, Sigma_j)``, computed as
    ``exp(log numerator - logsumexp(log numerators))``.

    Returns
    -------
    resp : ndarray of shape (N, K), each row summing to 1.
    """
    X, weights, means, covariances, _ = _check_mixture(X, weights, means, covariances)
    resp = _weighted_log_densities(X, weights, means, covariances)
    normalise_log_inplace(resp, axis=1)
    return resp


def m_step(X, resp, reg_covar=0.0):
    """Closed-form maximisers of the expected complete-data log-likelihood.

    With ``N_k = sum_n r_nk`` (eq-m-step-nk):

    * means       ``mu_k = (1 / N_k) sum_n r_nk x_n``                               (eq-m-step-means)
    * covariances ``Sigma_k = (1 / N_k) sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T``
      ``+ reg_covar * I``                                                         (eq-m-step-covariances)
    * weights     ``pi_k = N_k / N``                                              (eq-m-step-weights)

    Parameters
    ----------
    X : array-like of shape (N, d) or (N,)
    resp : array-like of shape (N, K), rows summing to 1
    reg_covar : float, default 0
        Added to the diagonal of every covariance (chapter 7's remedy for collapse).

    Returns
    -------
    weights : ndarray (K,)
    means : ndarray (K, d), or (K,) when X is 1-D
    covariances : ndarray (K, d, d), or (K,) variances when X is 1-D
    """
    X, one_dimensional = check_data(X), np.ndim(X) == 1
    reg_covar = check_nonnegative_real(reg_covar, "reg_covar")
    resp = _check_responsibilities(resp, X.shape[0])
    n_per_component = resp.sum(axis=0)
    dead = np.flatnonzero(n_per_component <= 0)
    if dead.size:
        raise ValueError(
            f"Component(s) {dead.tolist()} have total responsibility N_k = 0: no point belongs "
            "to them, so their mean is undefined. Re-initialise those components or use fewer."
        )
    # the M-step shared with GaussianMixture (covariance_type='full')
    n_per_component, means, covariances = estimate_parameters(X, resp, reg_covar, "full",
                                                              count_offset=0.0)
    weights = n_per_component / n_per_component.sum()
    if one_dimensional:
        return weights, means[:, 0], covariances[:, 0, 0]
    return weights, means, covariances


def _check_responsibilities(resp, n_samples):
    """Responsibilities: (N, K), entries in [0, 1], rows summing to 1."""
    resp = as_float_array(resp, "resp")
    if resp.ndim != 2 or resp.shape[0] != n_samples:
        raise ValueError(
            f"resp must have shape (N, K) with one row per point of X (N = {n_samples}); "
            f"got {resp.shape}. Compute it with responsibilities(X, ...) on the same X."
        )
    if np.any(resp < 0) or not np.allclose(resp.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(
            "resp must be non-negative with every row summing to 1 (each point's "
            "probabilities over the components)."
        )
    return resp


def em(X, weights, means, covariances, max_iter=100, tol=1e-6, reg_covar=0.0):
    """Run EM from the given parameters until the log-likelihood stops improving.

    Each iteration is an E-step (``responsibilities``) then an M-step (``m_step``).
    It stops when the total log-likelihood rises by less than ``tol`` or after
    ``max_iter`` iterations (chapter 4's stopping rules).  Chapter 5 proves the
    log-likelihood never decreases along the way.

    Returns
    -------
    EMResult
        ``weights``, ``means``, ``covariances`` (shaped like the input),
        ``log_likelihood`` of those parameters, ``n_iter``, ``converged``, and
        ``history``: one ``EMIteration`` per iteration, starting with the initial parameters.
    """
    X, weights, means, covariances, one_dimensional = _check_mixture(X, weights, means, covariances)
    max_iter = check_positive_int(max_iter, "max_iter")
    tol = check_nonnegative_real(tol, "tol")
    reg_covar = check_nonnegative_real(reg_covar, "reg_covar")
    if X.shape[0] < len(weights):
        raise ValueError(
            f"X has {X.shape[0]} samples, but {len(weights)} components need at least "
            f"{len(weights)}. Use fewer components or more data."
        )

    def shaped(means, covariances):
        if one_dimensional:
            return means[:, 0].copy(), covariances[:, 0, 0].copy()
        return means.copy(), covariances.copy()

    current = log_likelihood(X, weights, means, covariances)
    history = [EMIteration(0, weights.copy(), *shaped(means, covariances), current)]
    converged = False
    for iteration in range(1, max_iter + 1):
        resp = responsibilities(X, weights, means, covariances)
        weights, means, covariances = m_step(X, resp, reg_covar)
        try:
            covariances = check_covariances(covariances, len(weights), X.shape[1])
        except ValueError:
            raise ValueError(
                f"EM iteration {iteration} produced a singular covariance: a component "
                "collapsed onto too few distinct points (chapter 7). Pass reg_covar > 0 "
                "(e.g. 1e-6) or start from other parameters."
            ) from None
        previous, current = current, log_likelihood(X, weights, means, covariances)
        history.append(EMIteration(iteration, weights.copy(), *shaped(means, covariances), current))
        if abs(current - previous) < tol:
            converged = True
            break
    return EMResult(weights, *shaped(means, covariances), current, iteration, converged, history)
