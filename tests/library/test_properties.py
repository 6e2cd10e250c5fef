"""Properties of EM and the estimator, checked on random well-conditioned data (hypothesis).

The data are a few separated Gaussian blobs whose number, dimension, sizes, shapes,
offset and overall scale are drawn by hypothesis; numpy draws the points from a seed
that hypothesis also chooses, so a failure shrinks to a small, reproducible example.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from threadpoolctl import threadpool_limits

import gmmlib
from gmmlib import ConvergenceWarning, GaussianMixture
from gmmlib.covariances import as_full

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True, scope="module")
def single_threaded_blas():
    """These tests use tiny matrices, where BLAS threads only contend: on a loaded 2-core
    machine scipy's solve_triangular ran 100x slower with two OpenBLAS threads than one."""
    with threadpool_limits(limits=1):
        yield


class Blobs:
    """Points from K separated Gaussian blobs, with the parameters that generated them."""

    def __init__(self, seed, n_components, n_features, n_per_blob, separation, scale):
        self.arguments = dict(seed=seed, n_components=n_components, n_features=n_features,
                              n_per_blob=n_per_blob, separation=separation, scale=scale)
        rng = np.random.RandomState(seed)
        direction = rng.normal(size=n_features)
        direction /= np.linalg.norm(direction)
        offset = rng.normal(scale=10, size=n_features)
        self.means = np.array([k * separation * direction + offset for k in range(n_components)])
        self.covariances = np.empty((n_components, n_features, n_features))
        parts = []
        for k in range(n_components):
            # a random rotation times axis lengths in [0.5, 1.5]: condition number at most 9
            rotation = np.linalg.qr(rng.normal(size=(n_features, n_features)))[0]
            shape = rotation * rng.uniform(0.5, 1.5, n_features)
            self.covariances[k] = shape @ shape.T
            parts.append(rng.normal(size=(n_per_blob[k], n_features)) @ shape.T + self.means[k])
        self.X = np.vstack(parts) * scale
        self.means *= scale
        self.covariances *= scale**2
        self.weights = np.asarray(n_per_blob, dtype=float) / sum(n_per_blob)
        self.rng = rng

    def __repr__(self):  # what hypothesis prints for a failing example
        return f"Blobs(**{self.arguments!r})"

    @property
    def n_components(self):
        return len(self.means)

    def perturbed_start(self):
        """Generic starting parameters: near, but not at, the generating ones."""
        spread = np.sqrt(np.trace(self.covariances, axis1=1, axis2=2).mean())
        weights = self.weights * self.rng.uniform(0.7, 1.3, self.n_components)
        means = self.means + self.rng.normal(scale=0.3 * spread, size=self.means.shape)
        covariances = self.covariances * self.rng.uniform(0.6, 1.6, self.n_components)[:, None, None]
        return weights / weights.sum(), means, covariances


@st.composite
def blobs(draw, max_components=3, max_features=3):
    n_components = draw(st.integers(1, max_components))
    return Blobs(
        seed=draw(st.integers(0, 2**32 - 1)),
        n_components=n_components,
        n_features=draw(st.integers(1, max_features)),
        n_per_blob=draw(st.lists(st.integers(15, 40), min_size=n_components, max_size=n_components)),
        separation=draw(st.floats(8.0, 14.0)),
        scale=10.0 ** draw(st.floats(-2.0, 2.0)),
    )


def precisions_init(covariances, covariance_type):
    """Inverse covariances, shaped as GaussianMixture's precisions_init wants for the type."""
    if covariance_type == "full":
        return np.linalg.inv(covariances)
    if covariance_type == "tied":
        return np.linalg.inv(covariances.mean(axis=0))
    variances = np.diagonal(covariances, axis1=1, axis2=2)
    return 1.0 / variances if covariance_type == "diag" else 1.0 / variances.mean(axis=1)


def explicit_model(data, covariance_type, **params):
    """An estimator whose start is fully given (no random initialisation at all)."""
    weights, means, covariances = data.perturbed_start()
    defaults = dict(covariance_type=covariance_type, weights_init=weights, means_init=means,
                    precisions_init=precisions_init(covariances, covariance_type),
                    max_iter=15, tol=0.0)  # tol=0: exactly max_iter iterations, every time
    return GaussianMixture(data.n_components, **{**defaults, **params})


def quietly_fit(model, X, **kwargs):
    """Fit, ignoring only ConvergenceWarning (tol=0 means EM never declares convergence)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **kwargs)


def assert_non_decreasing(values, what):
    values = np.asarray(values)
    tolerance = 1e-9 * np.maximum(np.abs(values[:-1]), 1e-3)
    drops = values[:-1] - values[1:]
    assert np.all(drops <= tolerance), f"{what} decreased by {drops.max():.3g}: {values}"


# ---------------------------------------------------------------- responsibilities

@SETTINGS
@given(blobs(), st.integers(0, 2**32 - 1))
def test_responsibilities_are_probabilities(data, seed):
    rng = np.random.RandomState(seed)
    weights = rng.dirichlet(np.ones(data.n_components))
    means = data.means + rng.normal(scale=3 * np.abs(data.means).max() + 1, size=data.means.shape)
    covariances = data.covariances * rng.uniform(0.1, 10, data.n_components)[:, None, None]
    resp = gmmlib.responsibilities(data.X, weights, means, covariances)
    assert resp.shape == (len(data.X), data.n_components)
    assert np.all((resp >= 0) & (resp <= 1))
    assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@SETTINGS
@given(blobs(), st.sampled_from(COVARIANCE_TYPES), st.integers(0, 1000))
def test_predict_proba_rows_are_probabilities(data, covariance_type, seed):
    model = quietly_fit(GaussianMixture(data.n_components, covariance_type=covariance_type,
                                        random_state=seed), data.X)
    far = data.X * 3 + 5 * np.abs(data.X).max()  # also points far from every component
    for points in (data.X, far):
        proba = model.predict_proba(points)
        assert np.all((proba >= 0) & (proba <= 1))
        assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- monotone likelihood

@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blobs())
def test_em_never_decreases_the_log_likelihood(data):
    # reg_covar=0: each M-step is then the exact maximiser, so chapter 5's theorem applies
    try:
        result = gmmlib.em(data.X, *data.perturbed_start(), max_iter=15, tol=0.0, reg_covar=0.0)
    except ValueError as error:  # a collapse (never seen on these data) is not this test's topic
        assert "reg_covar" in str(error)
        reject()
    assert len(result.history) == result.n_iter + 1 == 16
    assert_non_decreasing([step.log_likelihood for step in result.history], "em log-likelihood")
    assert result.log_likelihood == result.history[-1].log_likelihood


@SETTINGS
@given(blobs(), st.sampled_from(COVARIANCE_TYPES), st.sampled_from(["kmeans", "random"]),
       st.integers(0, 1000))
def test_estimator_lower_bound_never_decreases(data, covariance_type, init_params, seed):
    model = GaussianMixture(data.n_components, covariance_type=covariance_type, reg_covar=0.0,
                            init_params=init_params, max_iter=15, tol=0.0, random_state=seed)
    try:
        quietly_fit(model, data.X)
    except ValueError as error:
        assert "reg_covar" in str(error)
        reject()
    assert len(model.lower_bounds_) == 15
    assert_non_decreasing(model.lower_bounds_, "lower_bounds_")
    assert_non_decreasing([step.log_likelihood for step in model.history_], "history_")
    assert model.history_[-1].log_likelihood >= model.lower_bound_ - 1e-9 * abs(model.lower_bound_)


# ---------------------------------------------------------------- invariance and equivariance

@SETTINGS
@given(blobs(), st.sampled_from(COVARIANCE_TYPES), st.integers(0, 2**32 - 1))
def test_permuting_the_data_changes_nothing(data, covariance_type, seed):
    permutation = np.random.RandomState(seed).permutation(len(data.X))
    model = explicit_model(data, covariance_type)
    original = quietly_fit(model, data.X)
    params = {name: getattr(original, name).copy()
              for name in ("weights_", "means_", "covariances_", "lower_bound_")}
    labels = original.predict(data.X)
    permuted = quietly_fit(model, data.X[permutation])
    for name, value in params.items():
        assert_allclose(getattr(permuted, name), value, rtol=1e-8, atol=1e-12 * np.abs(value).max(),
                        err_msg=name)
    assert_array_equal(permuted.predict(data.X[permutation]), labels[permutation])

    # the teaching em too
    start = data.perturbed_start()
    expected = gmmlib.em(data.X, *start, max_iter=10, reg_covar=1e-6)
    result = gmmlib.em(data.X[permutation], *start, max_iter=10, reg_covar=1e-6)
    assert_allclose(result.means, expected.means, rtol=1e-8, atol=1e-12 * np.abs(expected.means).max())
    assert_allclose(result.covariances, expected.covariances, rtol=1e-8,
                    atol=1e-12 * np.abs(expected.covariances).max())
    assert result.log_likelihood == pytest.approx(expected.log_likelihood, rel=1e-9)


@st.composite
def affine_maps(draw):
    """x -> c x + b, with |c| from 1e-3 to 1e3 and either sign."""
    magnitude = 10.0 ** draw(st.floats(-3.0, 3.0))
    sign = draw(st.sampled_from([1.0, -1.0]))
    return sign * magnitude, draw(st.floats(-100.0, 100.0))


@SETTINGS
@given(blobs(), st.sampled_from(COVARIANCE_TYPES), affine_maps())
def test_shifting_and_scaling_the_data_moves_the_fit_with_it(data, covariance_type, affine):
    c, b = affine
    n_features = data.X.shape[1]
    shift = b * np.ones(n_features) * np.abs(data.X).max()
    weights, means, covariances = data.perturbed_start()
    # reg_covar is a variance: it must scale by c^2 like the covariances for the fit to move
    # with the data (and the explicit start is transformed the same way)
    reg_covar = 1e-6 * np.abs(data.X).max() ** 2
    fit = dict(covariance_type=covariance_type, max_iter=15, tol=0.0, weights_init=weights)
    base = quietly_fit(GaussianMixture(
        data.n_components, **fit, reg_covar=reg_covar, means_init=means,
        precisions_init=precisions_init(covariances, covariance_type)), data.X)
    moved = quietly_fit(GaussianMixture(
        data.n_components, **fit, reg_covar=reg_covar * c**2, means_init=c * means + shift,
        precisions_init=precisions_init(c**2 * covariances, covariance_type)), c * data.X + shift)

    size = np.abs(c * base.means_).max() + np.abs(shift).max()
    assert_allclose(moved.weights_, base.weights_, rtol=1e-7, atol=1e-12)
    assert_allclose(moved.means_, c * base.means_ + shift, rtol=1e-7, atol=1e-9 * size)
    assert_allclose(moved.covariances_, c**2 * base.covariances_, rtol=1e-6,
                    atol=1e-9 * c**2 * np.abs(base.covariances_).max())
    # densities are divided by |c|^d, so the per-point log-likelihood drops by d log|c|
    expected = base.lower_bound_ - n_features * np.log(abs(c))
    assert moved.lower_bound_ == pytest.approx(expected, rel=1e-7, abs=1e-7)
    assert moved.score(c * data.X + shift) == pytest.approx(
        base.score(data.X) - n_features * np.log(abs(c)), rel=1e-7, abs=1e-7)
    assert_array_equal(moved.predict(c * data.X + shift), base.predict(data.X))

    # and the teaching em, without any regulariser
    try:
        reference = gmmlib.em(data.X, weights, means, covariances, max_iter=10, tol=0.0)
    except ValueError:
        reject()
    result = gmmlib.em(c * data.X + shift, weights, c * means + shift, c**2 * covariances,
                       max_iter=10, tol=0.0)
    assert_allclose(result.means, c * reference.means + shift, rtol=1e-7, atol=1e-9 * size)
    assert_allclose(result.covariances, c**2 * reference.covariances, rtol=1e-6,
                    atol=1e-9 * c**2 * np.abs(reference.covariances).max())
    total_shift = len(data.X) * n_features * np.log(abs(c))
    assert result.log_likelihood == pytest.approx(reference.log_likelihood - total_shift,
                                                  rel=1e-7, abs=1e-6)


# ---------------------------------------------------------------- the estimator's API

@SETTINGS
@given(blobs(), st.sampled_from(COVARIANCE_TYPES),
       st.sampled_from(["kmeans", "k-means++", "random", "random_from_data"]),
       st.integers(1, 3), st.integers(0, 1000))
def test_fit_predict_equals_fit_then_predict(data, covariance_type, init_params, n_init, seed):
    params = dict(covariance_type=covariance_type, init_params=init_params, n_init=n_init,
                  random_state=seed, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = GaussianMixture(data.n_components, **params).fit_predict(data.X)
        model = GaussianMixture(data.n_components, **params).fit(data.X)
    assert_array_equal(labels, model.predict(data.X))


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(blobs(), st.sampled_from(COVARIANCE_TYPES), st.integers(0, 1000))
def test_samples_have_the_fitted_moments(data, covariance_type, seed):
    # Each statistic is compared with its standard error: sd / sqrt(n) for a mean,
    # sqrt((S_ii S_jj + S_ij^2) / n) for a covariance entry, sqrt(w (1 - w) / n) for a
    # proportion.  Six standard errors: a false alarm has probability ~2e-9 per statistic,
    # at most ~30 statistics per example, and derandomize=True fixes the examples anyway.
    model = GaussianMixture(data.n_components, covariance_type=covariance_type, random_state=seed)
    quietly_fit(model, data.X)
    n_samples = 20_000
    X, labels = model.sample(n_samples)
    assert X.shape == (n_samples, data.X.shape[1])
    n_features = X.shape[1]
    covariances = as_full(model.covariances_, covariance_type, data.n_components, n_features)
    counts = np.bincount(labels, minlength=data.n_components)
    proportion_se = np.sqrt(model.weights_ * (1 - model.weights_) / n_samples)
    assert np.all(np.abs(counts / n_samples - model.weights_) <= 6 * proportion_se + 1e-12)
    for k in range(data.n_components):
        points = X[labels == k]
        n = len(points)
        if n < 10 * n_features:
            continue
        variances = np.diag(covariances[k])
        assert np.all(np.abs(points.mean(axis=0) - model.means_[k]) <= 6 * np.sqrt(variances / n))
        sample_covariance = np.cov(points.T, bias=True).reshape(n_features, n_features)
        covariance_se = np.sqrt((np.outer(variances, variances) + covariances[k] ** 2) / n)
        assert np.all(np.abs(sample_covariance - covariances[k]) <= 6 * covariance_se)


@SETTINGS
@given(blobs(), st.sampled_from(COVARIANCE_TYPES), st.integers(0, 2**32 - 1))
def test_integer_sample_weight_equals_repeating_rows(data, covariance_type, seed):
    counts = np.random.RandomState(seed).randint(0, 4, size=len(data.X))
    assume(counts.sum() >= 2 * data.n_components)
    model = explicit_model(data, covariance_type)
    weighted = quietly_fit(model, data.X, sample_weight=counts)
    params = {name: getattr(weighted, name).copy()
              for name in ("weights_", "means_", "covariances_", "lower_bound_")}
    repeated = quietly_fit(model, np.repeat(data.X, counts, axis=0))
    for name, value in params.items():
        assert_allclose(getattr(repeated, name), value, rtol=1e-7,
                        atol=1e-10 * np.abs(value).max(), err_msg=name)


# ---------------------------------------------------------------- the M-step is a maximiser

def expected_complete_log_likelihood(X, resp, weights, means, covariances):
    """Q = sum_n sum_k r_nk [log pi_k + log N(x_n | mu_k, Sigma_k)]  (eq-complete-data-log-likelihood)."""
    return sum(
        resp[:, k] @ (np.log(weights[k]) + gmmlib.gaussian_logpdf(X, means[k], covariances[k]))
        for k in range(len(weights))
    )


@SETTINGS
@given(blobs(), st.integers(0, 2**32 - 1), st.floats(1e-3, 0.3),
       st.sampled_from(["weights", "means", "covariances", "all"]))
def test_m_step_maximises_the_expected_complete_log_likelihood(data, seed, size, which):
    rng = np.random.RandomState(seed)
    resp = gmmlib.responsibilities(data.X, *data.perturbed_start())
    assume(np.all(resp.sum(axis=0) > 1.0))
    weights, means, covariances = gmmlib.m_step(data.X, resp)
    best = expected_complete_log_likelihood(data.X, resp, weights, means, covariances)

    K, d = means.shape
    if which in ("weights", "all") and K > 1:
        weights = weights * np.exp(size * rng.normal(size=K))
        weights /= weights.sum()
    if which in ("means", "all"):
        means = means + size * np.sqrt(np.diagonal(covariances, axis1=1, axis2=2)) * rng.normal(size=(K, d))
    if which in ("covariances", "all"):
        tilt = np.eye(d) + size * rng.normal(size=(K, d, d))  # Sigma -> A Sigma A^T stays SPD
        assume(np.all(np.abs(np.linalg.det(tilt)) > 0.1))
        covariances = tilt @ covariances @ np.swapaxes(tilt, 1, 2)
        covariances = (covariances + np.swapaxes(covariances, 1, 2)) / 2
    perturbed = expected_complete_log_likelihood(data.X, resp, weights, means, covariances)
    assert perturbed <= best + 1e-9 * abs(best)
