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

from .densities import CHUNK_ROWS

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def estimate_parameters(X, resp, reg_covar, covariance_type):
    """The weighted M-step for any covariance type: returns ``(N_k, means, covariances)``.

    ``resp`` may already carry per-sample weights (``r_nk * w_n``).  ``N_k`` gets
    ``10 * eps`` added, as scikit-learn does, so that an empty component has a
    finite (zero) mean instead of 0 / 0; the caller normalises ``N_k`` into weights.
    Implements (eq-m-step-nk), (eq-m-step-means) and (eq-m-step-covariances).
    """
    n_per_component = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = (resp.T @ X) / n_per_component[:, np.newaxis]
    scatter = _weighted_scatter(X, resp, means, covariance_type)
    if covariance_type == "full":
        covariances = scatter / n_per_component[:, np.newaxis, np.newaxis]
        covariances[:, np.arange(X.shape[1]), np.arange(X.shape[1])] += reg_covar
    elif covariance_type == "tied":
        covariances = scatter.sum(axis=0) / n_per_component.sum()
        covariances.flat[:: X.shape[1] + 1] += reg_covar
    elif covariance_type == "diag":
        covariances = scatter / n_per_component[:, np.newaxis] + reg_covar
    else:
        covariances = (scatter / n_per_component[:, np.newaxis] + reg_covar).mean(axis=1)
    return n_per_component, means, covariances


def _weighted_scatter(X, resp, means, covariance_type):
    """``sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T`` per component: (K, d, d), or its diagonal (K, d).

    Centred differences keep full precision when the data sit far from the origin; the
    sum runs over blocks of rows so memory stays O(block * K * d).
    """
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    diagonal_only = covariance_type in ("diag", "spherical")
    shape = (n_components, n_features) if diagonal_only else (n_components, n_features, n_features)
    scatter = np.zeros(shape)
    for start in range(0, n_samples, CHUNK_ROWS):
        block = X[start : start + CHUNK_ROWS]
        block_resp = resp[start : start + CHUNK_ROWS]
        for k in range(n_components):
            centred = block - means[k]
            if diagonal_only:
                scatter[k] += block_resp[:, k] @ (centred * centred)
            else:
                scatter[k] += (block_resp[:, k] * centred.T) @ centred
    return scatter


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
