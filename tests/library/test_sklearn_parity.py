"""gmmlib.GaussianMixture gives scikit-learn's answers on the same data and initial parameters.

scikit-learn is the reference: every fitted attribute, score, prediction, information
criterion, iteration count and lower bound must agree to rtol 1e-6.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import gmmlib

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
# (N, d, K): 1-D, 2-D, a wider one, and more components than clusters
SHAPES = [(240, 1, 2), (300, 2, 3), (400, 5, 4), (150, 3, 6)]
RTOL = 1e-6


def blobs(n_samples, n_features, n_clusters, seed):
    """Gaussian blobs with random centres, scales and correlations."""
    rng = np.random.RandomState(seed)
    sizes = np.full(n_clusters, n_samples // n_clusters)
    sizes[: n_samples % n_clusters] += 1
    parts = []
    for size in sizes:
        mixing = rng.normal(size=(n_features, n_features)) * rng.uniform(0.3, 1.5)
        parts.append(rng.normal(size=(size, n_features)) @ mixing + rng.normal(scale=4, size=n_features))
    return np.vstack(parts)


def perturbed_initial_parameters(X, n_components, covariance_type, seed):
    """Initial weights, means, precisions shaped for the covariance type (not at a fixed point)."""
    reference = SklearnGaussianMixture(
        n_components, covariance_type=covariance_type, max_iter=1, random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.fit(X)
    rng = np.random.RandomState(seed)
    weights = reference.weights_ * rng.uniform(0.8, 1.2, n_components)
    return {
        "weights_init": weights / weights.sum(),
        "means_init": reference.means_ + rng.normal(scale=0.3, size=reference.means_.shape),
        "precisions_init": reference.precisions_,
    }


def fit_both(X, **params):
    """Fit gmmlib and scikit-learn with the same parameters; return both and their warnings."""
    models = []
    for cls in (gmmlib.GaussianMixture, SklearnGaussianMixture):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = cls(**params).fit(X)
        model.caught_convergence_warning = any(
            "did not converge" in str(w.message) for w in caught
        )
        models.append(model)
    return models


def assert_same_model(ours, theirs, X):
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=RTOL, atol=1e-12,
                        err_msg=name)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_
    assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=RTOL)
    assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=RTOL)
    assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=RTOL)
    assert_allclose(ours.score(X), theirs.score(X), rtol=RTOL)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL, atol=1e-10)
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert_allclose(ours.bic(X), theirs.bic(X), rtol=RTOL)
    assert_allclose(ours.aic(X), theirs.aic(X), rtol=RTOL)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}-d{}-K{}".format(*s))
def test_same_fit_from_same_initial_parameters(covariance_type, shape):
    n_samples, n_features, n_components = shape
    X = blobs(n_samples, n_features, min(n_components, 3), seed=n_features)
    initial = perturbed_initial_parameters(X, n_components, covariance_type, seed=1)
    ours, theirs = fit_both(X, n_components=n_components, covariance_type=covariance_type,
                            tol=1e-5, max_iter=300, **initial)
    assert theirs.n_iter_ > 2, "the comparison should cover several EM iterations"
    assert_same_model(ours, theirs, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_warning_and_state_when_max_iter_is_reached(covariance_type):
    X = blobs(300, 2, 3, seed=0)
    initial = perturbed_initial_parameters(X, 3, covariance_type, seed=2)
    ours, theirs = fit_both(X, n_components=3, covariance_type=covariance_type, tol=0,
                            max_iter=4, **initial)
    assert ours.caught_convergence_warning and theirs.caught_convergence_warning
    assert not ours.converged_
    assert_same_model(ours, theirs, X)


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random", "random_from_data"])
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_same_fit_from_the_same_random_state(init_params, covariance_type):
    # The initialisations draw the same random numbers as scikit-learn's, so even without
    # explicit *_init arrays the two libraries start, and end, at the same parameters.
    X = blobs(300, 3, 4, seed=5)
    ours, theirs = fit_both(X, n_components=4, covariance_type=covariance_type,
                            init_params=init_params, random_state=7, n_init=1)
    assert_same_model(ours, theirs, X)


def test_n_init_keeps_the_best_of_several_random_starts():
    X = blobs(300, 2, 4, seed=3)
    ours, theirs = fit_both(X, n_components=4, init_params="random", random_state=0, n_init=4)
    assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=RTOL)
    # The first of the four starts draws the same numbers as a single start would.
    first_start = gmmlib.GaussianMixture(4, init_params="random", random_state=0).fit(X)
    assert ours.lower_bound_ >= first_start.lower_bound_
    assert_same_model(ours, theirs, X)


def test_warm_start_continues_like_scikit_learn():
    X = blobs(300, 2, 3, seed=4)
    initial = perturbed_initial_parameters(X, 3, "full", seed=3)
    ours = gmmlib.GaussianMixture(3, warm_start=True, max_iter=2, tol=0, **initial)
    theirs = SklearnGaussianMixture(3, warm_start=True, max_iter=2, tol=0, **initial)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            ours.fit(X)
            theirs.fit(X)
    assert_same_model(ours, theirs, X)


def test_sampling_matches_in_shape_and_labels():
    X = blobs(200, 2, 2, seed=6)
    ours, theirs = fit_both(X, n_components=2, random_state=0)
    our_samples, our_labels = ours.sample(500)
    their_samples, their_labels = theirs.sample(500)
    assert our_samples.shape == their_samples.shape == (500, 2)
    # The component counts come from the same multinomial draw.
    assert_array_equal(np.bincount(our_labels, minlength=2), np.bincount(their_labels, minlength=2))


def test_unit_sample_weight_is_the_unweighted_fit():
    X = blobs(300, 2, 3, seed=8)
    initial = perturbed_initial_parameters(X, 3, "full", seed=4)
    weighted = gmmlib.GaussianMixture(3, **initial).fit(X, sample_weight=np.ones(len(X)))
    theirs = SklearnGaussianMixture(3, **initial).fit(X)
    assert_same_model(weighted, theirs, X)


def test_history_records_every_iteration_with_scikit_learns_lower_bounds():
    X = blobs(300, 2, 3, seed=9)
    initial = perturbed_initial_parameters(X, 3, "full", seed=5)
    ours, theirs = fit_both(X, n_components=3, tol=1e-6, **initial)
    history = ours.history_
    assert len(history) == ours.n_iter_ + 1
    assert [step.iteration for step in history] == list(range(ours.n_iter_ + 1))
    # lower_bounds_[t] is the log-likelihood of the parameters after t iterations
    assert_allclose([step.log_likelihood for step in history[:-1]], theirs.lower_bounds_, rtol=RTOL)
    assert_allclose(history[-1].log_likelihood, theirs.score(X), rtol=RTOL)
    assert_allclose(history[0].means, initial["means_init"])
    assert_allclose(history[-1].means, theirs.means_, rtol=RTOL)


@pytest.fixture
def block_size(monkeypatch):
    """Small blocks, so that a few thousand points span several (and end in a partial one)."""
    monkeypatch.setattr(gmmlib.densities.CentredData, "block_size", 1024)
    return 1024


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_fit_on_data_spanning_several_blocks(covariance_type, block_size):
    # gmmlib's E-step and M-step run over blocks of points (CentredData.block_size); the
    # fits above fit in one block, this one spans several, ending in a partial block.
    X = blobs(2 * block_size + 777, 4, 5, seed=11)
    initial = perturbed_initial_parameters(X, 6, covariance_type, seed=6)
    ours, theirs = fit_both(X, n_components=6, covariance_type=covariance_type, tol=0,
                            max_iter=15, **initial)
    assert_same_model(ours, theirs, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_integer_sample_weights_count_points_that_many_times(covariance_type, block_size):
    # weights spanning several blocks: the fused E-step and M-step weight every block
    X = blobs(block_size + 500, 3, 3, seed=12)
    counts = np.random.RandomState(0).randint(0, 4, size=len(X))
    initial = perturbed_initial_parameters(X, 3, covariance_type, seed=7)
    params = dict(n_components=3, covariance_type=covariance_type, tol=0, max_iter=10,
                  **initial)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = gmmlib.GaussianMixture(**params).fit(X, sample_weight=counts)
        repeated = SklearnGaussianMixture(**params).fit(np.repeat(X, counts, axis=0))
    for name in ("weights_", "means_", "covariances_"):
        assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=RTOL, err_msg=name)
    assert_allclose(weighted.lower_bound_, repeated.lower_bound_, rtol=RTOL)
