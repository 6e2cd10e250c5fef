"""The evidence lower bound (chapter 5): log p(X) = ELBO(q) + KL(q || posterior)."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

import gmmlib
from gmmlib.datasets import seven_point_example, three_blobs

X, _ = three_blobs(60, random_state=2)
WEIGHTS = np.array([0.5, 0.3, 0.2])
MEANS = np.array([[0.5, 0.5], [3.0, 3.0], [-1.0, 4.0]])
COVARIANCES = np.array([np.eye(2), [[1.0, 0.3], [0.3, 1.0]], 0.5 * np.eye(2)])


def random_q(seed):
    q = np.random.default_rng(seed).dirichlet(np.ones(3), size=len(X))
    q[0] = [1.0, 0.0, 0.0]  # exact zeros must be handled as 0 log 0 = 0
    return q


def test_bound_is_tight_at_the_responsibilities():
    resp = gmmlib.responsibilities(X, WEIGHTS, MEANS, COVARIANCES)
    log_likelihood = gmmlib.log_likelihood(X, WEIGHTS, MEANS, COVARIANCES)
    assert gmmlib.elbo(X, resp, WEIGHTS, MEANS, COVARIANCES) == pytest.approx(log_likelihood, abs=1e-9)
    assert gmmlib.kl_to_posterior(X, resp, WEIGHTS, MEANS, COVARIANCES) == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_log_likelihood_is_elbo_plus_kl_for_any_q(seed):
    q = random_q(seed)
    log_likelihood = gmmlib.log_likelihood(X, WEIGHTS, MEANS, COVARIANCES)
    bound = gmmlib.elbo(X, q, WEIGHTS, MEANS, COVARIANCES)
    gap = gmmlib.kl_to_posterior(X, q, WEIGHTS, MEANS, COVARIANCES)
    assert gap > 0 and bound < log_likelihood
    assert bound + gap == pytest.approx(log_likelihood, rel=1e-12)


def test_expected_complete_log_likelihood_with_one_hot_q_is_the_complete_data_log_likelihood():
    labels = np.arange(len(X)) % 3
    q = np.eye(3)[labels]
    direct = sum(
        np.log(WEIGHTS[k]) + multivariate_normal(MEANS[k], COVARIANCES[k]).logpdf(x)
        for x, k in zip(X, labels)
    )
    assert gmmlib.expected_complete_log_likelihood(X, q, WEIGHTS, MEANS, COVARIANCES) == pytest.approx(direct)
    assert gmmlib.elbo(X, q, WEIGHTS, MEANS, COVARIANCES) == pytest.approx(direct)  # H(one-hot) = 0


def test_m_step_maximises_the_expected_complete_log_likelihood():
    example = seven_point_example()
    resp = gmmlib.responsibilities(example.X, example.weights, example.means, example.variances)
    weights, means, variances = gmmlib.m_step(example.X, resp)
    best = gmmlib.expected_complete_log_likelihood(example.X, resp, weights, means, variances)
    rng = np.random.default_rng(0)
    for _ in range(20):
        other_weights = rng.dirichlet(np.ones(3))
        other_means = means + rng.normal(scale=0.2, size=3)
        other_variances = variances * rng.uniform(0.7, 1.3, size=3)
        other = gmmlib.expected_complete_log_likelihood(
            example.X, resp, other_weights, other_means, other_variances)
        assert other < best


def test_q_with_the_wrong_number_of_components_is_refused():
    with pytest.raises(ValueError, match="one column per component"):
        gmmlib.elbo(X, np.full((len(X), 2), 0.5), WEIGHTS, MEANS, COVARIANCES)
