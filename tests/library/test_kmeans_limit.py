"""fixed_variance_em, EM with every covariance fixed at sigma^2 I (chapter 6): its E-step is
the library's, it climbs the likelihood, and as sigma^2 -> 0 it becomes k-means."""

import numpy as np
import pytest

import gmmlib
from gmmlib import KMeans, fixed_variance_em, log_likelihood, responsibilities


def round_covariances(sigma2, n_components, n_features):
    return np.broadcast_to(sigma2 * np.eye(n_features), (n_components, n_features, n_features))


def test_exported_from_gmmlib():
    assert gmmlib.fixed_variance_em is fixed_variance_em
    assert "fixed_variance_em" in gmmlib.__all__ and "FixedVarianceEM" in gmmlib.__all__


@pytest.mark.parametrize("update_weights", [False, True])
def test_e_step_is_responsibilities_with_round_covariances(X2, update_weights):
    means = X2[[0, 60, 120]] + 0.5
    for sigma2 in (50.0, 2.0, 0.05):
        # max_iter=0: the E-step under the starting means and equal weights
        step = fixed_variance_em(X2, means, sigma2, max_iter=0, update_weights=update_weights)
        expected = responsibilities(X2, np.full(3, 1 / 3), means, round_covariances(sigma2, 3, 2))
        np.testing.assert_allclose(step.responsibilities, expected, rtol=0, atol=1e-12)
        np.testing.assert_allclose(step.means, means)
        # after EM: the returned responsibilities are the E-step under the returned parameters
        fitted = fixed_variance_em(X2, means, sigma2, max_iter=50, update_weights=update_weights)
        expected = responsibilities(X2, fitted.weights, fitted.means,
                                    round_covariances(sigma2, 3, 2))
        np.testing.assert_allclose(fitted.responsibilities, expected, rtol=0, atol=1e-12)


def test_e_step_is_the_shared_variance_softmax_in_1d():
    """(eq-kmeans-shared-variance-responsibility) written out, for the chapter's point x = 1.6."""
    means, x, sigma2 = np.array([-2.0, 1.0, 3.0]), np.array([1.6]), np.array([4.0, 0.25, 0.01])
    step = fixed_variance_em(x, means, sigma2, max_iter=0)
    scores = np.exp(-(x[0] - means) ** 2 / (2 * sigma2[:, np.newaxis]))
    np.testing.assert_allclose(step.responsibilities[:, 0, :],
                               scores / scores.sum(axis=1, keepdims=True), rtol=0, atol=1e-12)
    assert step.responsibilities[-1, 0].argmax() == 1, "x = 1.6 is nearest to the mean 1"


def test_small_variance_gives_nearest_mean_assignments_and_kmeans(X2):
    means = X2[[0, 60, 120]] + 0.5
    hard = fixed_variance_em(X2, means, 1e-6, max_iter=200)
    nearest = ((X2[:, np.newaxis, :] - hard.means[np.newaxis]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(hard.responsibilities.argmax(axis=1), nearest)
    assert hard.responsibilities.max(axis=1).min() > 1 - 1e-9, "one-hot rows"
    kmeans = KMeans(3, init=means, n_init=1).fit(X2)
    np.testing.assert_allclose(hard.means, kmeans.cluster_centers_, atol=1e-8)
    # a large variance leaves the rows soft
    soft = fixed_variance_em(X2, means, 20.0, max_iter=200)
    assert soft.responsibilities.max(axis=1).mean() < 0.9


@pytest.mark.parametrize("update_weights", [False, True])
@pytest.mark.parametrize("sigma2", [0.3, 3.0, 30.0])
def test_log_likelihood_never_decreases(X2, sigma2, update_weights):
    """EM (eq-log-likelihood) climbs with the covariances held at sigma^2 I (chapter 5)."""
    means = X2[[3, 4, 5]]  # a poor start, close together, so there is a long way to climb
    covariances = round_covariances(sigma2, 3, 2)
    values = []
    for t in range(12):
        run = fixed_variance_em(X2, means, sigma2, max_iter=t, tol=0.0,
                                update_weights=update_weights)
        values.append(log_likelihood(X2, run.weights, run.means, covariances))
    steps = np.diff(values)
    assert np.all(steps >= -1e-9 * np.abs(values[1:])), steps
    assert values[-1] > values[0] + 1.0, "EM must actually climb from this start"


def test_vectorised_over_sigma2_equals_one_at_a_time(X2):
    means = X2[[0, 60, 120]] + 0.5
    sigma2 = np.array([8.0, 2.0, 1e-6])
    for update_weights in (False, True):
        together = fixed_variance_em(X2, means, sigma2, max_iter=200,
                                     update_weights=update_weights)
        assert together.means.shape == (3, 3, 2) and together.responsibilities.shape == (3, 180, 3)
        for s, value in enumerate(sigma2):
            alone = fixed_variance_em(X2, means, value, max_iter=200,
                                      update_weights=update_weights)
            np.testing.assert_allclose(together.means[s], alone.means, rtol=0, atol=1e-12)
            np.testing.assert_allclose(together.weights[s], alone.weights, rtol=0, atol=1e-12)
            np.testing.assert_allclose(together.responsibilities[s], alone.responsibilities,
                                       rtol=0, atol=1e-12)


def test_weights_stay_equal_unless_updated(X2):
    means = X2[[0, 60, 120]] + 0.5
    fixed = fixed_variance_em(X2, means, 1.0, max_iter=100)
    np.testing.assert_allclose(fixed.weights, 1 / 3)
    updated = fixed_variance_em(X2, means, 1.0, max_iter=100, update_weights=True)
    np.testing.assert_allclose(updated.weights, updated.responsibilities.mean(axis=0), atol=1e-6)
    assert not np.allclose(updated.weights, 1 / 3)


def test_an_empty_component_keeps_its_mean(X2):
    far = np.array([[0.0, 0.0], [5.0, 1.0], [500.0, 500.0]])  # nobody is near the third mean
    run = fixed_variance_em(X2, far, 0.5, max_iter=20)
    np.testing.assert_allclose(run.means[2], far[2])
    assert np.all(np.isfinite(run.means))


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.zeros((2, 3)), 1.0), {}, ValueError, "means"),
        ((np.zeros((2, 2)), [1.0, -1.0]), {}, ValueError, "sigma2"),
        ((np.zeros((2, 2)), []), {}, ValueError, "empty"),
        ((np.zeros((2, 2)), 1.0), dict(update_weights="yes"), TypeError, "update_weights"),
        ((np.zeros((2, 2)), 1.0), dict(max_iter=-1), ValueError, "max_iter"),
        ((np.zeros((2, 2)), 1.0), dict(tol=-1.0), ValueError, "tol"),
        ((np.zeros((2, 2)), "big"), {}, TypeError, "numeric"),
    ],
)
def test_bad_input_is_refused(X2, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fixed_variance_em(X2, *args, **kwargs)
