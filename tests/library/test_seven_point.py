"""The seven-point worked example of Deisenroth, Faisal & Ong, *Mathematics for Machine
Learning* (2020), section 11.2: one E-step and one M-step reproduce the published table.

Data x = -3, -2.5, -1, 0, 2, 4, 5; initial components N(-4, 1), N(0, 0.2), N(8, 3)
(variances), equal weights.  The expected values below are the printed ones, compared to
their printed precision (half a unit in the last printed digit).
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import gmmlib

X = np.array([-3.0, -2.5, -1.0, 0.0, 2.0, 4.0, 5.0])
WEIGHTS = np.full(3, 1 / 3)
MEANS = np.array([-4.0, 0.0, 8.0])
VARIANCES = np.array([1.0, 0.2, 3.0])

PUBLISHED_RESPONSIBILITIES = np.array([
    [1.0, 0.0, 0.0],
    [1.0, 0.0, 0.0],
    [0.057, 0.943, 0.0],
    [0.001, 0.999, 0.0],
    [0.0, 0.066, 0.934],
    [0.0, 0.0, 1.0],
    [0.0, 0.0, 1.0],
])
PUBLISHED_N = np.array([2.058, 2.008, 2.934])
PUBLISHED_MEANS = np.array([-2.7, -0.4, 3.7])  # the seed notes print 2.7 for the first: a slip
PUBLISHED_VARIANCES = np.array([0.14, 0.44, 1.53])
PUBLISHED_WEIGHTS = np.array([0.29, 0.29, 0.42])
PUBLISHED_LOG_LIKELIHOOD_BEFORE = -28.3
PUBLISHED_LOG_LIKELIHOOD_AFTER = -14.4


def half_unit(decimals):
    return 0.5 * 10.0**-decimals


@pytest.fixture(scope="module")
def one_iteration():
    resp = gmmlib.responsibilities(X, WEIGHTS, MEANS, VARIANCES)
    weights, means, variances = gmmlib.m_step(X, resp)
    return resp, weights, means, variances


def test_responsibility_table(one_iteration):
    resp = one_iteration[0]
    difference = np.abs(resp - PUBLISHED_RESPONSIBILITIES)
    # The printed row for x = 0 reads (0.001, 0.999, 0.0), but the exact value of r_41 is
    # 1.5e-4, which rounds to 0.000: the book's table is one unit off there.  Every other
    # entry agrees to the printed precision.
    off_by_one_unit = np.zeros_like(resp, dtype=bool)
    off_by_one_unit[3, :2] = True
    assert np.all(difference[~off_by_one_unit] <= half_unit(3))
    assert np.all(difference[off_by_one_unit] <= 1e-3)


def test_the_x_equals_zero_row_computed_by_hand(one_iteration):
    # r_41 = N(0 | -4, 1) / (N(0 | -4, 1) + N(0 | 0, 0.2) + N(0 | 8, 3)), weights cancel
    def normal(x, mean, variance):
        return math.exp(-((x - mean) ** 2) / (2 * variance)) / math.sqrt(2 * math.pi * variance)

    densities = [normal(0.0, m, v) for m, v in zip(MEANS, VARIANCES)]
    r_41 = densities[0] / sum(densities)
    assert r_41 == pytest.approx(1.5e-4, rel=0.05)
    assert one_iteration[0][3, 0] == pytest.approx(r_41, rel=1e-12)


def test_total_responsibilities(one_iteration):
    n_k = one_iteration[0].sum(axis=0)
    # The book's N_k are column sums of its rounded table (0.943 + 0.999 + 0.066 = 2.008),
    # slip included, so they carry up to seven rounding errors of half a unit each; the exact
    # values are 2.0572, 2.0090 and 2.9338.
    assert_allclose(n_k, PUBLISHED_N, rtol=0, atol=7 * half_unit(3))
    assert_allclose(PUBLISHED_RESPONSIBILITIES.sum(axis=0), PUBLISHED_N, atol=1e-12)
    assert round(n_k[2], 3) == PUBLISHED_N[2]
    assert n_k.sum() == pytest.approx(len(X))


def test_updated_means_variances_and_weights(one_iteration):
    _, weights, means, variances = one_iteration
    assert np.all(np.abs(means - PUBLISHED_MEANS) <= half_unit(1))
    assert means[0] < 0, "the first updated mean is -2.7, not 2.7"
    assert np.all(np.abs(variances - PUBLISHED_VARIANCES) <= half_unit(2))
    assert np.all(np.abs(weights - PUBLISHED_WEIGHTS) <= half_unit(2))
    assert weights.sum() == pytest.approx(1.0)


def test_log_likelihood_before_and_after(one_iteration):
    _, weights, means, variances = one_iteration
    before = gmmlib.log_likelihood(X, WEIGHTS, MEANS, VARIANCES)
    after = gmmlib.log_likelihood(X, weights, means, variances)
    assert abs(before - PUBLISHED_LOG_LIKELIHOOD_BEFORE) <= half_unit(1)
    assert abs(after - PUBLISHED_LOG_LIKELIHOOD_AFTER) <= half_unit(1)


def test_em_history_starts_with_this_iteration(one_iteration):
    _, weights, means, variances = one_iteration
    result = gmmlib.em(X, WEIGHTS, MEANS, VARIANCES, max_iter=200, tol=1e-10)
    first = result.history[1]
    assert_allclose(first.weights, weights)
    assert_allclose(first.means, means)
    assert_allclose(first.covariances, variances)
    trace = [step.log_likelihood for step in result.history]
    assert np.all(np.diff(trace) >= -1e-12), "EM never decreases the log-likelihood"
    assert result.converged and result.log_likelihood > PUBLISHED_LOG_LIKELIHOOD_AFTER


def test_estimator_takes_the_same_first_step():
    model = gmmlib.GaussianMixture(
        3, weights_init=WEIGHTS, means_init=MEANS[:, None], precisions_init=1 / VARIANCES,
        covariance_type="spherical", reg_covar=0.0, max_iter=1, tol=0,
    )
    with pytest.warns(gmmlib.ConvergenceWarning):
        model.fit(X[:, None])
    assert np.all(np.abs(model.means_[:, 0] - PUBLISHED_MEANS) <= half_unit(1))
    assert np.all(np.abs(model.covariances_ - PUBLISHED_VARIANCES) <= half_unit(2))
    # lower_bound_ is a per-point average: times N it is the total log-likelihood before the step
    assert abs(model.lower_bound_ * len(X) - PUBLISHED_LOG_LIKELIHOOD_BEFORE) <= half_unit(1)
    assert abs(model.score(X[:, None]) * len(X) - PUBLISHED_LOG_LIKELIHOOD_AFTER) <= half_unit(1)


def test_mixture_logpdf_is_the_log_of_the_weighted_sum_of_densities():
    from scipy.stats import norm

    by_hand = np.log(sum(w * norm.pdf(X, m, np.sqrt(v))
                         for w, m, v in zip(WEIGHTS, MEANS, VARIANCES)))
    log_density = gmmlib.mixture_logpdf(X, WEIGHTS, MEANS, VARIANCES)
    assert_allclose(log_density, by_hand, rtol=1e-12)
    assert log_density.sum() == pytest.approx(gmmlib.log_likelihood(X, WEIGHTS, MEANS, VARIANCES))
