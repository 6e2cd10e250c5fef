"""Gaussian log-densities: the library's one E-step kernel.

``gaussian_logpdf`` is the teaching primitive: one Gaussian, one equation,
(eq-gaussian-density) of chapter 1.  ``component_log_densities`` evaluates every
component of a full-covariance mixture at once and is what the teaching EM uses.
``log_gaussian_prob`` does the same for all four covariance types, parametrised by the
Cholesky factors of the precisions as the estimator ``GaussianMixture`` stores them.
All three go through ``log_gaussian_prob_columns``, the one implementation of the
log-density, and ``normalise_log_inplace``, the one log-sum-exp normaliser
(eq-responsibility).

Accuracy of the expanded quadratic forms
----------------------------------------
For diag, spherical and tied covariances the quadratic form is expanded,
``sum_j p_j (x_j - mu_j)^2 = sum_j p_j x_j^2 - 2 sum_j p_j mu_j x_j + sum_j p_j mu_j^2``,
so that all points and components come from one matrix product with precomputed
squares.  The three terms are each about ``p |x|^2`` while their sum can be as small as
0 (a point at its mean), so the rounding error of the sum is about
``eps * p * (|x|^2 + |mu|^2)``: relative to the spread ``sigma^2 = 1 / p`` of the
component, ``eps * (|x|^2 + |mu|^2) / sigma^2``.  For data far from the origin
(offset 1e8, spread 1) that is 1e-16 * 1e16, every digit lost.  The remedy is to
measure from the data's own centre: ``CentredData`` subtracts the mean of the data
once, from the points and from the means, which changes no quadratic form.  Then
``|x|`` and ``|mu|`` are at most the radius ``R`` of the data around its mean, and the
absolute error of a log-density is at most about ``eps * (R / sigma)^2``, independent of
where the data sit: 2e-10 even for a component 1000 of its own widths from the centre.
Subtracting the centre is exact up to the rounding of the data themselves (the centred
values are as accurate as the input, whose last digit is ``eps * |offset|``).  Scaling
the data by any power of ten changes nothing relative (floating point is scale-free
between 1e-150 and 1e150).  ``tests/library/test_accuracy_at_scale.py`` checks offsets
and scales of 1e8 and 1e-8 against a slow reference written with centred differences.
Full covariances square the whitened differences ``U_k^T x - U_k^T mu_k`` instead, whose
rounding error is first order in ``R / sigma`` rather than second.  The M-step's
moments obey the same bound (``gmmlib.covariances.parameters_from_moments``).
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
    return component_log_densities(X, mean[np.newaxis], cov[np.newaxis])[:, 0]


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
    try:
        precisions_chol = precision_cholesky(covariances, "full")
    except ValueError:
        for k, covariance in enumerate(covariances):
            check_spd(covariance, f"covariances[{k}]")
        raise
    return log_gaussian_prob(X, means, precisions_chol, "full")


# --- The batched numerics, parametrised by the Cholesky factor of the precision ---
#
# For covariance Sigma = L L^T the estimator stores U = L^{-T}, an upper-triangular factor
# with U U^T = Sigma^{-1} (scikit-learn's ``precisions_cholesky_``).  Then
# (x - mu)^T Sigma^{-1} (x - mu) = ||U^T (x - mu)||^2 and log det Sigma^{-1/2} = sum log diag U.


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
    # a variance below the smallest normal float (~2e-308) has no finite precision 1 / variance
    if np.any(covariances < np.finfo(float).tiny) or not np.all(np.isfinite(covariances)):
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


# --- Data centred once, one point per column ---


def moment_rows(centred, covariance_type):
    """The per-point statistics ``t(x)`` the M-step sums, one column per point.

    ``centred`` is (d, B), one centred point per column.  The rows returned are the
    squares the covariance needs, then ``x`` itself (always the last d rows):

    * full:      ``x_i x_j`` for all i, j (d * d rows), then x
    * tied:      x only (the tied scatter is the total scatter minus the means' part)
    * diag:      ``x_j^2`` (d rows), then x
    * spherical: ``|x|^2`` (one row), then x

    For diag and spherical the same rows give the expanded quadratic form of the E-step.
    """
    if covariance_type == "full":
        n_features = centred.shape[0]
        products = (centred[:, np.newaxis, :] * centred[np.newaxis, :, :]).reshape(
            n_features * n_features, -1)
        return np.concatenate([products, centred])
    if covariance_type == "tied":
        return centred
    if covariance_type == "diag":
        return np.concatenate([centred * centred, centred])
    return np.concatenate([np.einsum("ij,ij->j", centred, centred)[np.newaxis], centred])


def n_moment_rows(n_features, covariance_type):
    """How many rows ``moment_rows`` returns for d = ``n_features``."""
    squares = {"full": n_features * n_features, "tied": 0, "diag": n_features, "spherical": 1}
    return squares[covariance_type] + n_features


class CentredData:
    """Data prepared once per fit: centred on its mean and stored one point per column.

    Centring bounds the rounding error of the expanded quadratic forms and of the M-step's
    moments (see the module docstring); storing points as columns makes every block of
    points a contiguous slice of each row, so the per-block products are plain BLAS calls.

    Parameters
    ----------
    X : ndarray (N, d)
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    point_weights : ndarray (N,), optional
        Weight of each point in the tied covariance's total scatter (default 1).

    Attributes
    ----------
    centre : ndarray (d,)
        The mean of X, subtracted from the points; subtract it from the means too.
    centred : ndarray (d, N)
        ``x_n - centre`` as columns.
    """

    # Points per block: at most this many, and fewer when the moment rows are long, so a
    # block's rows stay near BLOCK_ELEMENTS floats (8 MiB): 14,563 points for full with
    # d = 8, 65,536 for diag.  Large blocks mean few BLAS calls, each of which costs a
    # thread synchronisation with multi-threaded BLAS; full's (K*d, block) whitened
    # temporary measured slower beyond ~16,000 points, diag and spherical did not.
    block_size = 131072
    BLOCK_ELEMENTS = 2**20

    def __init__(self, X, covariance_type, point_weights=None):
        self.covariance_type = covariance_type
        self.n_samples, self.n_features = X.shape
        self.block_size = max(256, min(CentredData.block_size, self.BLOCK_ELEMENTS // n_moment_rows(
            self.n_features, covariance_type)))
        self.centre = X.mean(axis=0)
        centred = np.ascontiguousarray((X - self.centre).T)
        self._point_weights = point_weights
        self._total_scatter = None
        # diag and spherical keep their moment rows for the whole fit: they are small and
        # the E-step reads them every iteration.  Full's d*d products are made per block.
        if covariance_type in ("diag", "spherical"):
            self._moments = moment_rows(centred, covariance_type)
            self.centred = self._moments[-self.n_features :]
        else:
            self._moments = None
            self.centred = centred

    def blocks(self):
        """Slices of at most ``block_size`` consecutive points."""
        for start in range(0, self.n_samples, self.block_size):
            yield slice(start, start + self.block_size)

    def stored_moments(self, points):
        """``moment_rows`` of these points if they were kept, else None."""
        return None if self._moments is None else self._moments[:, points]

    def moments(self, points):
        """``moment_rows`` of these points (kept or made now)."""
        if self._moments is not None:
            return self._moments[:, points]
        return moment_rows(self.centred[:, points], self.covariance_type)

    @property
    def total_scatter(self):
        """``sum_n w_n (x_n - centre)(x_n - centre)^T``, computed once (the tied M-step needs it)."""
        if self._total_scatter is None:
            weighted = self.centred if self._point_weights is None else (
                self.centred * self._point_weights)
            self._total_scatter = weighted @ self.centred.T
        return self._total_scatter


# --- The one E-step kernel ---


def log_gaussian_prob(X, means, precisions_chol, covariance_type):
    """``log N(x_n | mu_k, Sigma_k)`` for all n, k, shape (N, K), any covariance type.

    Centres X on its mean (``CentredData``) and evaluates ``log_gaussian_prob_columns``
    block by block, so memory stays O(block * K * d).
    """
    data = CentredData(X, covariance_type)
    centred_means = means - data.centre
    log_prob = np.empty((data.n_samples, means.shape[0]))
    for points in data.blocks():
        log_prob[points] = log_gaussian_prob_columns(
            data.centred[:, points], centred_means, precisions_chol, covariance_type,
            data.stored_moments(points)).T
    return log_prob


def log_gaussian_prob_columns(centred, means, precisions_chol, covariance_type, moments=None):
    """(eq-gaussian-density) for centred points as columns: ``log N``, shape (K, B).

    Parameters
    ----------
    centred : ndarray (d, B)
        Points minus the data centre, one per column.
    means : ndarray (K, d)
        Means minus the same centre.
    precisions_chol : ndarray
        Cholesky factors of the precisions, shaped by ``covariance_type``.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    moments : ndarray, optional
        ``moment_rows(centred, covariance_type)`` if already at hand (diag, spherical).

    Returns
    -------
    log_prob : ndarray (K, B)
        ``-1/2 [d log(2 pi) + (x - mu_k)^T Sigma_k^{-1} (x - mu_k)] + log det U_k``.
    """
    n_features = centred.shape[0]
    if covariance_type == "full":
        log_prob = _whitened_distances(centred, means, precisions_chol)
    elif covariance_type == "tied":
        # one whitening U^T x for all components; then unit-precision spherical distances
        whitened = precisions_chol.T @ centred
        log_prob = _expanded_distances(moment_rows(whitened, "spherical"),
                                       means @ precisions_chol, np.ones(len(means)), "spherical")
    else:
        if moments is None:
            moments = moment_rows(centred, covariance_type)
        log_prob = _expanded_distances(moments, means, precisions_chol**2, covariance_type)
    log_det = log_det_precision_cholesky(precisions_chol, covariance_type, n_features)
    log_prob *= -0.5
    log_prob += np.reshape(log_det - 0.5 * n_features * LOG_2PI, (-1, 1))
    return log_prob


def _whitened_distances(centred, means, precisions_chol):
    """``||U_k^T (x - mu_k)||^2`` for every component (rows) and point (columns).

    All components are whitened by one product of the stacked ``U_k^T`` with the points.
    """
    n_components, n_features = means.shape
    stacked = np.swapaxes(precisions_chol, 1, 2).reshape(n_components * n_features, n_features)
    whitened = stacked @ centred                       # (K*d, B): rows U_k^T x
    whitened -= np.einsum("kd,kde->ke", means, precisions_chol).reshape(-1, 1)
    np.square(whitened, out=whitened)
    return whitened.reshape(n_components, n_features, -1).sum(axis=1)


def _expanded_distances(moments, means, precisions, covariance_type):
    """``sum_j p_kj (x_j - mu_kj)^2`` expanded: one product with the rows [x^2; x] (or [|x|^2; x]).

    ``precisions`` is (K, d) for diag, (K,) for spherical; see the module docstring for
    why the data must be centred.
    """
    if covariance_type == "diag":
        coefficients = np.hstack([precisions, -2.0 * precisions * means])
        constants = np.sum(precisions * means * means, axis=1)
    else:
        coefficients = np.hstack([precisions[:, np.newaxis], -2.0 * precisions[:, np.newaxis] * means])
        constants = precisions * np.sum(means * means, axis=1)
    distances = coefficients @ moments
    distances += constants[:, np.newaxis]
    return distances


def normalise_log_inplace(log_numerators, axis):
    """Turn ``log pi_k + log N(x_n | mu_k, Sigma_k)`` into responsibilities in place.

    (eq-responsibility) by log-sum-exp along ``axis`` (the components):
    ``logsumexp(a) = m + log sum exp(a - m)`` with ``m`` the largest term, so that term
    is exp(0) = 1 and nothing overflows or underflows to an all-zero sum.

    Returns
    -------
    log_norm : ndarray
        ``log sum_k pi_k N(x_n | mu_k, Sigma_k)`` per point, (eq-mixture-density).
    """
    peak = log_numerators.max(axis=axis, keepdims=True)
    log_numerators -= peak
    np.exp(log_numerators, out=log_numerators)
    total = log_numerators.sum(axis=axis, keepdims=True)
    log_numerators /= total
    return np.squeeze(np.log(total) + peak, axis=axis)
