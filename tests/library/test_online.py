"""Mini-batch (online) EM: one full step equals batch EM; many small steps get close to it."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

import gmmlib
from gmmlib.datasets import three_blobs

X, _ = three_blobs(6000, random_state=3)
INITIAL = {"weights_init": [0.3, 0.3, 0.4], "means_init": [[0, 1], [3, 3], [-1, 4]],
           "precisions_init": np.array([np.eye(2)] * 3)}


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_a_step_of_size_one_on_all_the_data_is_a_batch_em_iteration(covariance_type):
    precisions = {"full": INITIAL["precisions_init"], "tied": np.eye(2),
                  "diag": np.ones((3, 2)), "spherical": np.ones(3)}[covariance_type]
    initial = dict(INITIAL, precisions_init=precisions)
    online = gmmlib.MiniBatchGaussianMixture(3, covariance_type=covariance_type,
                                             step_offset=0.0, step_decay=1.0, **initial)
    online.partial_fit(X)  # eta_1 = (1 + 0)^-1 = 1: the statistics are this batch's
    batch = gmmlib.GaussianMixture(3, covariance_type=covariance_type, max_iter=1, tol=0, **initial)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch.fit(X)
    for name in ("weights_", "means_", "covariances_"):
        assert_allclose(getattr(online, name), getattr(batch, name), rtol=1e-8, atol=1e-10)


def test_mini_batch_fit_reaches_the_batch_log_likelihood():
    batch = gmmlib.GaussianMixture(3, tol=1e-6, **INITIAL).fit(X)
    online = gmmlib.MiniBatchGaussianMixture(3, batch_size=500, max_iter=30, tol=1e-5,
                                             random_state=0, **INITIAL).fit(X)
    assert online.converged_
    assert online.n_steps_ == online.n_iter_ * 12
    assert online.score(X) == pytest.approx(batch.score(X), abs=2e-3)
    assert len(online.history_) == online.n_iter_


def test_step_sizes_decrease_as_robbins_monro_requires():
    model = gmmlib.MiniBatchGaussianMixture(3, step_offset=2.0, step_decay=0.6)
    steps = [model.step_size(t) for t in range(1, 50)]
    assert steps[0] == pytest.approx(3 ** -0.6)
    assert np.all(np.diff(steps) < 0)


def test_bad_online_parameters_are_refused():
    with pytest.raises(ValueError, match="step_decay"):
        gmmlib.MiniBatchGaussianMixture(3, step_decay=0.5).partial_fit(X)
    with pytest.raises(TypeError, match="batch_size"):
        gmmlib.MiniBatchGaussianMixture(3, batch_size=2.5).fit(X)
    model = gmmlib.MiniBatchGaussianMixture(3, random_state=0).partial_fit(X[:100])
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(np.ones((10, 3)))


def test_batch_statistics_are_the_averaged_sufficient_statistics():
    rng = np.random.default_rng(0)
    X_centred = rng.normal(size=(50, 3))
    resp = rng.dirichlet(np.ones(4), size=50)
    s0, s1, s2 = gmmlib.MiniBatchGaussianMixture._batch_statistics(X_centred, resp)
    # s2_k = (1/N) sum_n r_nk x_n x_n^T, written out point by point
    expected_s2 = sum(resp[n][:, None, None] * np.outer(x, x) for n, x in enumerate(X_centred)) / 50
    assert_allclose(s0, resp.mean(axis=0), rtol=1e-12)
    assert_allclose(s1, resp.T @ X_centred / 50, rtol=1e-12)
    assert_allclose(s2, expected_s2, rtol=1e-12)


def test_fit_reads_each_point_once_per_epoch(monkeypatch):
    rows = []
    original = gmmlib.MiniBatchGaussianMixture._e_step

    def counting_e_step(self, X, weight, resp):
        rows.append(X.shape[0])
        return original(self, X, weight, resp)

    monkeypatch.setattr(gmmlib.MiniBatchGaussianMixture, "_e_step", counting_e_step)
    monkeypatch.setattr(gmmlib.MiniBatchGaussianMixture, "score_samples",
                        lambda self, X: pytest.fail("fit made an extra pass to score X"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = gmmlib.MiniBatchGaussianMixture(3, batch_size=500, max_iter=4, tol=0.0,
                                                random_state=0, **INITIAL).fit(X)
    assert model.n_iter_ == 4 and sum(rows) == 4 * len(X)


def test_fit_is_epochs_of_partial_fit_and_its_bound_is_the_batches_average():
    weights = np.random.default_rng(1).uniform(0.5, 2.0, size=len(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = gmmlib.MiniBatchGaussianMixture(3, batch_size=700, max_iter=2, tol=0.0,
                                                random_state=0, **INITIAL)
        model.fit(X, sample_weight=weights)
    # the same epochs by hand: the same shuffles, one partial_fit per batch
    replay = gmmlib.MiniBatchGaussianMixture(3, batch_size=700, random_state=0, **INITIAL)
    rng = np.random.RandomState(0)
    for epoch in range(2):
        order = rng.permutation(len(X))
        bounds, masses = [], []
        for start in range(0, len(X), 700):
            batch = order[start : start + 700]
            replay.partial_fit(X[batch], sample_weight=weights[batch])
            bounds.append(replay.lower_bound_)
            masses.append(weights[batch].sum())
        assert model.lower_bounds_[epoch] == pytest.approx(np.average(bounds, weights=masses),
                                                           rel=1e-12)
    for name in ("weights_", "means_", "covariances_"):
        assert_allclose(getattr(model, name), getattr(replay, name), rtol=1e-12)
    # the running bound estimates the full-data log-likelihood of the fitted parameters
    assert model.lower_bound_ == pytest.approx(
        np.average(model.score_samples(X), weights=weights), abs=0.05)
