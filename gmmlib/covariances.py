"""The four covariance types of chapter 7: their M-step estimates, shapes and parameter counts.

=========  =======================  ==========================================
type       ``covariances_`` shape   meaning
=========  =======================  ==========================================
full       (K, d, d)                each component its own covariance matrix
tied       (d, d)                   one covariance matrix shared by all
diag       (K, d)                   each component axis-aligned variances
spherical  (K,)                     each component one variance, sigma_k^2 I
=========  =======================  ==========================================
"""

import numpy as np

from ._validation import as_float_array
from .densities import CentredData, n_moment_rows, precision_cholesky_from_precisions

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


EMPTY_COMPONENT_COUNT = 10 * np.finfo(float).eps


def estimate_parameters(X, resp, reg_covar, covariance_type, count_offset=EMPTY_COMPONENT_COUNT):
    """The weighted M-step for any covariance type: returns ``(N_k, means, covariances)``.

    ``resp`` may already carry per-sample weights (``r_nk * w_n``).  ``N_k`` gets
    ``count_offset`` (``10 * eps``) added, as scikit-learn does, so that an empty component
    has a finite (zero) mean instead of 0 / 0; the caller normalises ``N_k`` into weights.
    ``gmmlib.m_step``, which refuses empty components, passes 0.
    Implements (eq-m-step-nk), (eq-m-step-means) and (eq-m-step-covariances) through the
    weighted moments of the centred data (``WeightedMoments``, ``parameters_from_moments``).
    """
    data = CentredData(X, covariance_type, point_weights=resp.sum(axis=1))
    moments = WeightedMoments(resp.shape[1], data)
    for points in data.blocks():
        moments.add(resp[points].T, data.moments(points))
    return parameters_from_moments(moments, data, reg_covar, covariance_type, resp, count_offset)


class WeightedMoments:
    """The M-step's sums over points: ``N_k = sum_n r_nk`` and ``sum_n r_nk t(x_n)``.

    ``t(x)`` are the rows of ``moment_rows`` (x and its squares, measured from the data
    centre).  Sums are added block by block, so the estimator can add each block of
    responsibilities right after the E-step made it, while it is still in the cache.
    """

    def __init__(self, n_components, data):
        n_rows = n_moment_rows(data.n_features, data.covariance_type)
        self.counts = np.zeros(n_components)
        self.sums = np.zeros((n_components, n_rows))

    def add(self, resp_columns, moments):
        """Add a block: ``resp_columns`` (K, B) responsibilities, ``moments`` (m, B) rows t(x)."""
        self.counts += resp_columns.sum(axis=1)
        self.sums += resp_columns @ moments.T


def parameters_from_moments(moments, data, reg_covar, covariance_type, resp,
                            count_offset=EMPTY_COMPONENT_COUNT):
    """(eq-m-step-nk), (eq-m-step-means), (eq-m-step-covariances) from the weighted moments.

    With the data measured from their centre c (``data.centre``), the mean is
    ``mu_k - c = (1 / N_k) sum_n r_nk (x_n - c)`` and the scatter is the second moment
    minus the mean's part, ``sum_n r_nk (x_n - c)(x_n - c)^T - N_k (mu_k - c)(mu_k - c)^T``,
    which equals the centred-difference sum of (eq-m-step-covariances).  diag keeps its
    diagonal, spherical the mean of the diagonal, and tied pools the components, which
    leaves the total scatter minus ``sum_k N_k (mu_k - c)(mu_k - c)^T``.

    The subtraction loses about ``eps * R^2 / sigma^2`` relative (R the radius of the data
    around c, sigma a component's spread), the same bound as the E-step's (see
    ``gmmlib.densities``).  That is harmless unless a component is far narrower than the
    data, e.g. one point far from the rest: where more than ``MAX_CANCELLATION`` of the
    second moment cancels, that scatter is recomputed from the centred differences
    ``x_n - mu_k`` (``resp``, the weighted responsibilities (N, K), is for that).

    Returns
    -------
    n_per_component : ndarray (K,)
    means : ndarray (K, d)
    covariances : ndarray, shaped by ``covariance_type``
    """
    n_features = data.n_features
    n_per_component = moments.counts + count_offset
    means = moments.sums[:, -n_features:] / n_per_component[:, np.newaxis]  # from the centre
    second, scatter = _scatter_from_moments(moments, means, n_per_component, data, covariance_type)
    lost = _cancelled(second, scatter, covariance_type)
    if np.any(lost):
        scatter = _exact_scatter(data, resp, means, covariance_type, lost, scatter)
    if covariance_type == "full":
        covariances = scatter / n_per_component[:, np.newaxis, np.newaxis]
        covariances[:, np.arange(n_features), np.arange(n_features)] += reg_covar
    elif covariance_type == "tied":
        covariances = scatter / n_per_component.sum()
        covariances.flat[:: n_features + 1] += reg_covar
    elif covariance_type == "diag":
        covariances = scatter / n_per_component[:, np.newaxis] + reg_covar
    else:
        covariances = scatter / (n_features * n_per_component) + reg_covar
    return n_per_component, means + data.centre, covariances


# More than this factor between a second moment and the scatter left after subtracting the
# means' part costs more than 6 of the 16 digits: such scatters are recomputed exactly.
MAX_CANCELLATION = 1e6


def _scatter_from_moments(moments, means, n_per_component, data, covariance_type):
    """The second moments (about the centre) and the scatters (about the means), unscaled by N_k.

    Shapes: full (K, d, d), tied (d, d), diag (K, d), spherical (K,).
    """
    n_features = data.n_features
    sum_squares = moments.sums[:, :-n_features]
    weighted_means = n_per_component[:, np.newaxis] * means
    if covariance_type == "full":
        second = sum_squares.reshape(-1, n_features, n_features)
        return second, second - weighted_means[:, :, np.newaxis] * means[:, np.newaxis, :]
    if covariance_type == "tied":
        return data.total_scatter, data.total_scatter - weighted_means.T @ means
    if covariance_type == "diag":
        return sum_squares, sum_squares - weighted_means * means
    second = sum_squares[:, 0]
    return second, second - np.sum(weighted_means * means, axis=1)


def _cancelled(second, scatter, covariance_type):
    """Which scatters lost more than ``MAX_CANCELLATION`` (per component; tied: one flag)."""
    if covariance_type in ("full", "tied"):
        second = np.diagonal(second, axis1=-2, axis2=-1)
        scatter = np.diagonal(scatter, axis1=-2, axis2=-1)
    ratio_exceeded = second > MAX_CANCELLATION * np.maximum(scatter, 0.0)
    ratio_exceeded &= second > 0.0
    if covariance_type == "spherical":
        return ratio_exceeded
    return np.any(ratio_exceeded, axis=-1)


def _exact_scatter(data, resp, means, covariance_type, lost, scatter):
    """Recompute ``sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T`` (or its diagonal) where ``lost``."""
    components = range(len(means)) if covariance_type == "tied" else np.flatnonzero(lost)
    scatter = scatter.copy()
    exact = [_centred_scatter(data.centred, resp[:, k], means[k], covariance_type)
             for k in components]
    if covariance_type == "tied":
        return np.sum(exact, axis=0)
    for k, value in zip(components, exact):
        scatter[k] = value
    return scatter


def _centred_scatter(centred, weights, mean, covariance_type):
    """``sum_n w_n (x_n - mu)(x_n - mu)^T`` from centred differences, shaped by the covariance type."""
    differences = centred - mean[:, np.newaxis]
    weighted = differences * weights
    if covariance_type in ("full", "tied"):
        return weighted @ differences.T
    squares = np.einsum("dn,dn->d", weighted, differences)
    return squares if covariance_type == "diag" else squares.sum()


def n_parameters(n_components, n_features, covariance_type):
    """Free parameters of a mixture: means, covariances and K - 1 weights (chapter 8's BIC/AIC)."""
    covariance_parameters = {
        "full": n_components * n_features * (n_features + 1) // 2,
        "tied": n_features * (n_features + 1) // 2,
        "diag": n_components * n_features,
        "spherical": n_components,
    }[covariance_type]
    return covariance_parameters + n_components * n_features + n_components - 1


def expected_shape(covariance_type, n_components, n_features):
    """Shape of ``covariances_`` / ``precisions_`` for a covariance type."""
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]


def as_full(covariances, covariance_type, n_components, n_features):
    """Expand any covariance type to (K, d, d) full matrices, for plotting and sampling."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features)).copy()
    if covariance_type == "diag":
        return np.stack([np.diag(variances) for variances in covariances])
    return covariances[:, np.newaxis, np.newaxis] * np.eye(n_features)


def check_precisions_init(precisions_init, covariance_type, n_components, n_features):
    """``precisions_init`` checked against the covariance type; returns its Cholesky factors."""
    precisions = as_float_array(precisions_init, "precisions_init")
    shape = expected_shape(covariance_type, n_components, n_features)
    # Each message starts with scikit-learn's sentence for the same problem.
    if precisions.shape != shape:
        raise ValueError(
            f"The parameter '{covariance_type} precision' should have the shape of "
            f"{shape}, but got {precisions.shape}: precisions_init for "
            f"covariance_type={covariance_type!r} must have shape {shape}."
        )
    if covariance_type in ("full", "tied"):
        stacked = precisions.reshape(-1, n_features, n_features)
        symmetric = np.allclose(stacked, np.swapaxes(stacked, 1, 2))
        if not symmetric or np.any(np.linalg.eigvalsh(stacked) <= 0):
            raise ValueError(
                f"'{covariance_type} precision' should be symmetric, positive-definite: "
                "precisions_init must be symmetric positive definite matrices "
                "(inverses of covariance matrices)."
            )
    elif np.any(precisions <= 0):
        raise ValueError(
            f"'{covariance_type} precision' should be positive: "
            "precisions_init must be positive (they are inverse variances)."
        )
    return precision_cholesky_from_precisions(precisions, covariance_type)
