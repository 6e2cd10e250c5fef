"""Gaussian log-densities.

``gaussian_logpdf`` is the teaching primitive: one Gaussian, one equation,
(eq-gaussian-density) of chapter 1.  ``component_log_densities`` evaluates every
component of a mixture at once and is what the teaching EM uses.  The
``*_precision_cholesky`` functions are the fast, batched versions the estimator
``GaussianMixture`` uses for all four covariance types.
"""

import math

import numpy as np
from scipy.linalg.lapack import dtrtri

from ._validation import as_float_array, check_covariances, check_data, check_means, check_spd

LOG_2PI = math.log(2.0 * math.pi)

# Rows per block for computations that would otherwise allocate (N, K, d) at once.  Small
# blocks keep the temporaries in the CPU cache, which measured 2-3x faster than large ones.
CHUNK_ROWS = 4096

ILL_DEFINED_COVARIANCE = (  # scikit-learn's sentence (its users match on it), then gmmlib's
    "Fitting the mixture model failed because some components have ill-defined empirical "
    "covariance (for instance caused by singleton or collapsed samples). Try to decrease the "
    "number of components, increase reg_covar, or scale the input data. A component that "
    "collapsed onto one point or onto identical points has zero variance; reg_covar > 0 "
    "keeps every covariance positive definite (chapter 7)."
)


def gaussian_logpdf(X, mean, cov):
    """Log-density of one multivariate Gaussian at every row of ``X``.

    Implements (eq-gaussian-density):
    ``log N(x | mu, Sigma) = -1/2 [d log(2 pi) + log det Sigma + (x - mu)^T Sigma^{-1} (x - mu)]``,
    computed with the Cholesky factor ``Sigma = L L^T``: the quadratic form is
    ``||L^{-1}(x - mu)||^2`` and ``log det Sigma = 2 sum_i log L_ii``, so no inverse is formed.

    Parameters
    ----------
    X : array-like of shape (N, d) or (N,)
        Points; a 1-D array is N one-dimensional samples.
    mean : array-like of shape (d,) (a scalar when d = 1)
    cov : array-like of shape (d, d) (a scalar variance when d = 1)

    Returns
    -------
    log_density : ndarray of shape (N,)
    """
    X = check_data(X)
    n_features = X.shape[1]
    mean = check_means(np.reshape(mean, (1, -1)) if np.ndim(mean) else [mean], 1, n_features, "mean")[0]
    cov = as_float_array(cov, "cov")
    if cov.ndim == 0:
        cov = cov.reshape(1, 1)
    cov = check_covariances(cov[np.newaxis], 1, n_features, "cov")[0]
    chol = np.linalg.cholesky(cov)
    whitened = (X - mean) @ inverse_lower_triangular(chol).T  # rows are L^{-1}(x - mu)
    mahalanobis_sq = np.sum(whitened**2, axis=1)
    log_det = 2.0 * np.sum(np.log(np.diag(chol)))
    return -0.5 * (n_features * LOG_2PI + log_det + mahalanobis_sq)


def inverse_lower_triangular(chol):
    """``L^{-1}`` for a lower-triangular Cholesky factor ``L`` (LAPACK's dtrtri).

    Multiplying by this small d x d inverse is much cheaper than a triangular solve per
    call, whose multi-threaded BLAS start-up dominates for the book's small data sets.
    """
    return dtrtri(chol, lower=1)[0]


def component_log_densities(X, means, covariances):
    """``log N(x_n | mu_k, Sigma_k)`` for every point n and component k, shape (N, K).

    One column of (eq-gaussian-density) per component; ``X``, ``means`` and
    ``covariances`` must already be validated arrays of shapes (N, d), (K, d), (K, d, d).
    """
    n_samples, n_features = X.shape
    log_densities = np.empty((n_samples, len(means)))
    for k, (mean, covariance) in enumerate(zip(means, covariances)):
        try:
            chol = np.linalg.cholesky(covariance)
        except np.linalg.LinAlgError:
            check_spd(covariance, f"covariances[{k}]")
            raise
        whitened = (X - mean) @ inverse_lower_triangular(chol).T
        log_det = 2.0 * np.sum(np.log(np.diag(chol)))
        log_densities[:, k] = -0.5 * (
            n_features * LOG_2PI + log_det + np.sum(whitened**2, axis=1)
        )
    return log_densities


# --- The estimator's batched numerics, parametrised by the Cholesky factor of the precision ---
#
# For covariance Sigma = L L^T the estimator stores U = L^{-T}, an upper-triangular factor
# with U U^T = Sigma^{-1} (scikit-learn's ``precisions_cholesky_``).  Then
# (x - mu)^T Sigma^{-1} (x - mu) = ||(x - mu)^T U||^2 and log det Sigma^{-1/2} = sum log diag U.


def precision_cholesky(covariances, covariance_type):
    """Cholesky factors of the precisions from covariances, for each covariance type.

    Raises ``ValueError`` naming reg_covar when a covariance is not positive definite.
    """
    if covariance_type in ("full", "tied"):
        stacked = covariances if covariance_type == "full" else covariances[np.newaxis]
        try:
            chol = np.linalg.cholesky(stacked)
        except np.linalg.LinAlgError:
            raise ValueError(ILL_DEFINED_COVARIANCE) from None
        if not np.all(np.isfinite(chol)):
            raise ValueError(ILL_DEFINED_COVARIANCE)
        factors = np.stack([inverse_lower_triangular(c).T for c in chol])  # U = L^{-T}
        return factors if covariance_type == "full" else factors[0]
    if np.any(covariances <= 0.0) or not np.all(np.isfinite(covariances)):
        raise ValueError(ILL_DEFINED_COVARIANCE)
    return 1.0 / np.sqrt(covariances)


def precision_cholesky_from_precisions(precisions, covariance_type):
    """Upper-triangular U with U U^T = precision (reverse rows/columns, lower Cholesky, reverse)."""
    if covariance_type in ("full", "tied"):
        flipped = precisions[..., ::-1, ::-1]
        return np.linalg.cholesky(flipped)[..., ::-1, ::-1]
    return np.sqrt(precisions)


def precisions_from_cholesky(precisions_chol, covariance_type):
    """Precision matrices U U^T (full, tied) or precision values U^2 (diag, spherical)."""
    if covariance_type in ("full", "tied"):
        return precisions_chol @ np.swapaxes(precisions_chol, -1, -2)
    return precisions_chol**2


def covariances_from_precision_cholesky(precisions_chol, covariance_type):
    """Invert ``precision_cholesky``: Sigma = (U U^T)^{-1} = U^{-T} U^{-1}."""
    if covariance_type in ("full", "tied"):
        stacked = precisions_chol if covariance_type == "full" else precisions_chol[np.newaxis]
        inverses = np.stack([dtrtri(u, lower=0)[0] for u in stacked])
        covariances = np.swapaxes(inverses, -1, -2) @ inverses
        return covariances if covariance_type == "full" else covariances[0]
    return 1.0 / precisions_chol**2


def log_det_precision_cholesky(precisions_chol, covariance_type, n_features):
    """``log det U`` per component (= -1/2 log det Sigma_k), shape (K,) or scalar for tied."""
    if covariance_type == "full":
        return np.sum(np.log(np.diagonal(precisions_chol, axis1=1, axis2=2)), axis=1)
    if covariance_type == "tied":
        return np.sum(np.log(np.diag(precisions_chol)))
    if covariance_type == "diag":
        return np.sum(np.log(precisions_chol), axis=1)
    return n_features * np.log(precisions_chol)


def log_gaussian_prob(X, means, precisions_chol, covariance_type):
    """``log N(x_n | mu_k, Sigma_k)`` for all n, k, shape (N, K), any covariance type.

    Vectorised over points and components: every covariance type is written as K
    whitening matrices U_k (diagonal for diag and spherical, one shared for tied), and
    all the whitened points ``x^T U_k - mu_k^T U_k`` come from one matrix product
    ``X @ [U_1 ... U_K]``; the squared norms then come from a second product.
    Call it on blocks of rows (``CHUNK_ROWS``) to bound memory.
    """
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    log_det = log_det_precision_cholesky(precisions_chol, covariance_type, n_features)
    whitening = whitening_matrices(precisions_chol, covariance_type, n_components, n_features)
    stacked = np.transpose(whitening, (1, 0, 2)).reshape(n_features, -1)  # (d, K*d)
    shifts = np.einsum("kd,kde->ke", means, whitening).reshape(-1)
    whitened = X @ stacked
    whitened -= shifts
    np.square(whitened, out=whitened)
    # summing each run of d columns is a product with a block matrix of ones (fast BLAS)
    log_prob = whitened @ _block_ones(n_components, n_features)
    log_prob += n_features * LOG_2PI
    log_prob *= -0.5
    log_prob += log_det
    return log_prob


def whitening_matrices(precisions_chol, covariance_type, n_components, n_features):
    """The precision Cholesky factor of every component as a (K, d, d) array."""
    if covariance_type == "full":
        return precisions_chol
    if covariance_type == "tied":
        return np.broadcast_to(precisions_chol, (n_components, n_features, n_features))
    if covariance_type == "diag":
        return precisions_chol[:, :, np.newaxis] * np.eye(n_features)
    return precisions_chol[:, np.newaxis, np.newaxis] * np.eye(n_features)


def _block_ones(n_components, n_features):
    """(K*d, K) matrix whose column k has ones in rows k*d .. k*d + d - 1."""
    return np.kron(np.eye(n_components), np.ones((n_features, 1)))
