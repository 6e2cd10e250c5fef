"""The fast kernels stay accurate for data far from the origin and at extreme scales.

gmmlib expands the quadratic forms (diag, spherical, tied) and computes the M-step from
weighted moments, which would lose every digit for data offset by 1e8 if it were done
about the origin.  It is done about the data's mean instead (the argument is in the
docstring of ``gmmlib.densities``).  These tests move and scale one data set and check
the log-densities, the M-step and whole fits against slow references written straight
from the book's equations with centred differences (x - mu), and against scikit-learn
where scikit-learn is accurate (pure scaling; its expanded forms are not centred).
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import gmmlib
from gmmlib.covariances import as_full, estimate_parameters
from gmmlib.densities import CentredData, log_gaussian_prob, precision_cholesky

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
N_COMPONENTS = 3
# (scale, offset): x -> scale * x + offset.  Offsets of 1e8 spreads, at three scales.
TRANSFORMS = [(1.0, 1e8), (1e8, 0.0), (1e8, 1e16), (1e-8, 0.0), (1e-8, 1.0)]
TRANSFORM_IDS = ["offset-1e8", "scale-1e8", "scale-1e8-offset-1e16", "scale-1e-8",
                 "scale-1e-8-offset-1"]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 1024 points, so that unit_data spans several blocks."""
    monkeypatch.setattr(CentredData, "block_size", 1024)


def unit_data(n_samples=3000, seed=0):
    """Three correlated clusters of spread ~1 around the origin, spanning three blocks."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, -3.0, 1.0], [-3.0, 3.0, -2.0]])
    labels = rng.integers(N_COMPONENTS, size=n_samples)
    mixing = np.array([[1.0, 0.4, 0.0], [0.0, 0.8, 0.3], [0.2, 0.0, 0.6]])
    return rng.normal(size=(n_samples, 3)) @ mixing + centres[labels]


def unit_parameters(covariance_type):
    """Weights, means and covariances (shaped by the type) near the clusters of unit_data."""
    weights = np.array([0.3, 0.3, 0.4])
    means = np.array([[0.2, -0.1, 0.0], [3.8, -2.9, 1.1], [-3.1, 3.2, -1.9]])
    full = np.array([[[1.1, 0.3, 0.1], [0.3, 0.8, 0.2], [0.1, 0.2, 0.5]],
                     [[0.9, -0.2, 0.0], [-0.2, 1.2, 0.1], [0.0, 0.1, 0.7]],
                     [[1.3, 0.1, 0.2], [0.1, 0.6, 0.0], [0.2, 0.0, 0.9]]])
    covariances = {
        "full": full,
        "tied": full.mean(axis=0),
        "diag": np.diagonal(full, axis1=1, axis2=2).copy(),
        "spherical": np.array([0.8, 1.0, 1.2]),
    }[covariance_type]
    return weights, means, covariances


def reference_log_densities(X, means, covariances):
    """(eq-gaussian-density) point by point from centred differences and a linear solve."""
    n_features = X.shape[1]
    result = np.empty((len(X), len(means)))
    for k, (mean, covariance) in enumerate(zip(means, covariances)):
        differences = X - mean
        quadratic = np.sum(differences * np.linalg.solve(covariance, differences.T).T, axis=1)
        _, log_det = np.linalg.slogdet(covariance)
        result[:, k] = -0.5 * (n_features * np.log(2 * np.pi) + log_det + quadratic)
    return result


def reference_m_step(X, resp, covariance_type):
    """(eq-m-step-means), (eq-m-step-covariances) by centred differences, then reduced by type.

    The weighted sums of the means are exactly rounded (math.fsum): a plain sum of thousands
    of values near 1e8 would itself be off by ~1e-7.
    """
    n_per_component = np.array([math.fsum(column) for column in resp.T])
    means = np.array([[math.fsum(resp[:, k] * X[:, j]) for j in range(X.shape[1])]
                      for k in range(resp.shape[1])]) / n_per_component[:, np.newaxis]
    full = np.stack([(resp[:, k] * (X - means[k]).T) @ (X - means[k]) / n_per_component[k]
                     for k in range(len(means))])
    covariances = {
        "full": full,
        "tied": np.sum(n_per_component[:, None, None] * full, axis=0) / n_per_component.sum(),
        "diag": np.diagonal(full, axis1=1, axis2=2),
        "spherical": np.diagonal(full, axis1=1, axis2=2).mean(axis=1),
    }[covariance_type]
    return means, covariances


def transformed(covariance_type, scale, offset):
    """The data and parameters moved to x -> scale * x + offset."""
    weights, means, covariances = unit_parameters(covariance_type)
    return unit_data() * scale + offset, weights, means * scale + offset, covariances * scale**2


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale, offset", TRANSFORMS, ids=TRANSFORM_IDS)
def test_log_densities_match_the_centred_reference(covariance_type, scale, offset):
    X, _, means, covariances = transformed(covariance_type, scale, offset)
    full = as_full(covariances, covariance_type, N_COMPONENTS, 3)
    expected = reference_log_densities(X, means, full)
    ours = log_gaussian_prob(X, means, precision_cholesky(covariances, covariance_type),
                             covariance_type)
    # log-densities are O(10) plus 3 log(1/scale); the expanded forms about the origin
    # would be off by O(1) at offset 1e8, about the data centre they are off by ~1e-13
    assert_allclose(ours, expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale, offset", TRANSFORMS, ids=TRANSFORM_IDS)
def test_m_step_matches_the_centred_reference(covariance_type, scale, offset):
    X, weights, means, covariances = transformed(covariance_type, scale, offset)
    full = as_full(covariances, covariance_type, N_COMPONENTS, 3)
    resp = gmmlib.responsibilities(X, weights, means, full)
    expected_means, expected_covariances = reference_m_step(X, resp, covariance_type)
    _, ours_means, ours_covariances = estimate_parameters(X, resp, 0.0, covariance_type)
    # means relative to the spread; a mean near the offset is stored to spacing(offset)
    assert_allclose((ours_means - offset) / scale, (expected_means - offset) / scale,
                    rtol=0, atol=1e-9 + 2 * np.spacing(offset) / scale)
    assert_allclose(ours_covariances / scale**2, expected_covariances / scale**2,
                    rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale, offset", TRANSFORMS, ids=TRANSFORM_IDS)
def test_a_fit_moves_and_scales_with_its_data(covariance_type, scale, offset):
    # EM commutes with x -> scale * x + offset when reg_covar scales by scale^2
    weights, means, covariances = unit_parameters(covariance_type)
    precisions = {"full": np.linalg.inv, "tied": np.linalg.inv}.get(
        covariance_type, lambda c: 1.0 / c)
    params = dict(n_components=N_COMPONENTS, covariance_type=covariance_type, tol=0,
                  max_iter=8, weights_init=weights)

    def fit(X, means, covariances, reg_covar):
        model = gmmlib.GaussianMixture(means_init=means, precisions_init=precisions(covariances),
                                       reg_covar=reg_covar, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tol=0 never converges
            return model.fit(X)

    unit = fit(unit_data(), means, covariances, 1e-6)
    moved = fit(unit_data() * scale + offset, means * scale + offset, covariances * scale**2,
                1e-6 * scale**2)
    assert_allclose(moved.weights_, unit.weights_, rtol=1e-7)
    assert_allclose((moved.means_ - offset) / scale, unit.means_, rtol=0,
                    atol=1e-7 + 2 * np.spacing(offset) / scale)
    assert_allclose(moved.covariances_ / scale**2, unit.covariances_, rtol=1e-7, atol=1e-12)
    assert_allclose(moved.lower_bound_ + 3 * np.log(scale), unit.lower_bound_, rtol=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale", [1e8, 1e-8])
def test_scaled_fits_match_scikit_learn(covariance_type, scale):
    # Pure scaling costs scikit-learn no accuracy, so it is a second reference here.
    X = unit_data() * scale
    weights, means, covariances = unit_parameters(covariance_type)
    precisions = (np.linalg.inv(covariances) if covariance_type in ("full", "tied")
                  else 1.0 / covariances) / scale**2
    params = dict(n_components=N_COMPONENTS, covariance_type=covariance_type, tol=0,
                  max_iter=8, reg_covar=1e-6 * scale**2, weights_init=weights,
                  means_init=means * scale, precisions_init=precisions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gmmlib.GaussianMixture(**params).fit(X)
        theirs = SklearnGaussianMixture(**params).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_"):
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-6, err_msg=name)
    assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-6)
