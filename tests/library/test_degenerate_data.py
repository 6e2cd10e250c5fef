"""Degenerate but legal data: a finite model, or a ValueError that names reg_covar.

Never NaN or infinity in a fitted attribute, never a numpy LinAlgError or IndexError
reaching the user, and no RuntimeWarning (pyproject turns gmmlib's into errors; the tests
below turn *every* RuntimeWarning into an error, wherever numpy attributes it).
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from threadpoolctl import threadpool_limits

import gmmlib
from gmmlib import ConvergenceWarning, GaussianMixture

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
INIT_METHODS = ["kmeans", "k-means++", "random", "random_from_data"]


@pytest.fixture(autouse=True, scope="module")
def single_threaded_blas():
    """These tests use tiny matrices, where BLAS threads only contend: on a loaded 2-core
    machine scipy's solve_triangular ran 100x slower with two OpenBLAS threads than one."""
    with threadpool_limits(limits=1):
        yield


def two_blobs(seed=0, n_per_blob=20):
    rng = np.random.RandomState(seed)
    return np.vstack([rng.normal(size=(n_per_blob, 2)), rng.normal(size=(n_per_blob, 2)) + 6])


BLOBS = two_blobs()
DATASETS = {
    "identical-points": np.full((30, 2), 3.3),
    "identical-points-1d": np.full(30, -7.0),
    "constant-feature": np.column_stack([BLOBS[:, 0], np.full(len(BLOBS), 5.0)]),
    "duplicated-points": np.repeat(BLOBS[:4], 10, axis=0),  # 4 distinct points, 40 rows
    "scaled-by-1e100": BLOBS * 1e100,
    "scaled-by-1e-100": BLOBS * 1e-100,
    # variances of order 1e-320 are subnormal: their inverses overflow a float
    "scaled-to-subnormal-variance": BLOBS * 1e-160,
    "integers": np.round(BLOBS * 3).astype(np.int64),
    "float32": BLOBS.astype(np.float32),
    "far-outlier": np.vstack([BLOBS, [[1e6, -1e6]]]),
}


def fit_strictly(model, X):
    """Fit with every RuntimeWarning an error; ConvergenceWarning (a UserWarning) is allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


def assert_finite_model(model, X):
    """Everything a reader can get out of a fitted model is finite and consistent."""
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert np.all(np.isfinite(getattr(model, name))), name
    assert np.isfinite(model.lower_bound_)
    assert_allclose(model.weights_.sum(), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert np.isfinite(model.score(X))
        assert np.all(np.isfinite(model.score_samples(X)))
        assert np.isfinite(model.bic(X)) and np.isfinite(model.aic(X))
        proba = model.predict_proba(X)
        assert np.all((proba >= 0) & (proba <= 1))
        assert_allclose(proba.sum(axis=1), 1.0)
        labels = model.predict(X)
        assert np.all((labels >= 0) & (labels < model.n_components))
        samples, _ = model.sample(50)
        assert np.all(np.isfinite(samples))


def fit_or_refuse(X, **params):
    """Fit; return the model, or None if refused with a ValueError naming reg_covar."""
    model = GaussianMixture(random_state=0, **params)
    try:
        fit_strictly(model, X)
    except ValueError as error:
        # np.linalg.LinAlgError is a ValueError too: it must not be what the user sees
        assert type(error) is ValueError, type(error)
        assert "reg_covar" in str(error), str(error)
        return None
    assert_finite_model(model, X)
    return model


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_components", [1, 3])
@pytest.mark.parametrize("name", DATASETS)
def test_regularised_fit_is_always_finite(name, n_components, covariance_type):
    # the default reg_covar=1e-6 keeps every covariance positive definite: no refusal allowed
    model = fit_or_refuse(DATASETS[name], n_components=n_components, covariance_type=covariance_type)
    assert model is not None


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_components", [1, 3])
@pytest.mark.parametrize("name", DATASETS)
def test_unregularised_fit_is_finite_or_names_reg_covar(name, n_components, covariance_type):
    fit_or_refuse(DATASETS[name], n_components=n_components, covariance_type=covariance_type,
                  reg_covar=0.0)


@pytest.mark.parametrize("init_params", INIT_METHODS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", ["identical-points", "duplicated-points", "far-outlier"])
@pytest.mark.parametrize("reg_covar", [1e-6, 0.0])
def test_every_initialisation_on_degenerate_data(name, covariance_type, init_params, reg_covar):
    model = fit_or_refuse(DATASETS[name], n_components=3, covariance_type=covariance_type,
                          init_params=init_params, reg_covar=reg_covar)
    assert model is not None or reg_covar == 0.0


@pytest.mark.parametrize(
    "name, covariance_type",
    [("identical-points", "full"), ("identical-points", "tied")]
    + [("scaled-to-subnormal-variance", covariance_type) for covariance_type in COVARIANCE_TYPES],
)
def test_zero_or_subnormal_variance_without_reg_covar_is_refused(name, covariance_type):
    # A zero covariance matrix, or variances so small (~1e-320) that the precisions_ overflow,
    # must not come back as a model.  (For identical points, diag and spherical variances
    # (and a 1-D full variance) come out as ~1e-30 of rounding noise, because N_k carries
    # scikit-learn's 10 * eps: finite, and accepted by the tests above.)
    model = fit_or_refuse(DATASETS[name], n_components=1, covariance_type=covariance_type,
                          reg_covar=0.0)
    assert model is None


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag"])
def test_constant_feature_gets_reg_covar_as_its_variance(covariance_type):
    X = DATASETS["constant-feature"]
    model = fit_strictly(GaussianMixture(2, covariance_type=covariance_type, random_state=0), X)
    assert_finite_model(model, X)
    covariances = gmmlib.covariances.as_full(model.covariances_, covariance_type, 2, 2)
    assert_allclose(covariances[:, 1, 1], model.reg_covar, rtol=1e-6)
    assert_allclose(model.means_[:, 1], 5.0)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_identical_points_give_a_model_centred_on_them(covariance_type):
    X = DATASETS["identical-points"]
    model = fit_strictly(GaussianMixture(1, covariance_type=covariance_type), X)
    assert_allclose(model.means_, [[3.3, 3.3]])
    full = gmmlib.covariances.as_full(model.covariances_, covariance_type, 1, 2)
    assert_allclose(full[0], model.reg_covar * np.eye(2), rtol=1e-6, atol=1e-20)
    assert_array_equal(model.predict(X), 0)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_an_outlier_that_captures_a_component(covariance_type):
    X = DATASETS["far-outlier"]
    outlier = X[-1]
    # means_init puts a component on the outlier: with reg_covar it stays there, finite
    means_init = np.array([[0.0, 0.0], [6.0, 6.0], outlier])
    model = fit_strictly(
        GaussianMixture(3, covariance_type=covariance_type, means_init=means_init, random_state=0), X
    )
    assert_finite_model(model, X)
    captured = np.argmin(np.linalg.norm(model.means_ - outlier, axis=1))
    assert_allclose(model.means_[captured], outlier)
    assert_allclose(model.weights_[captured], 1 / len(X), rtol=1e-6)
    assert_array_equal(model.predict(X[-1:]), [captured])
    if covariance_type != "tied":  # a tied covariance is shared, so it is not the outlier's alone
        full = gmmlib.covariances.as_full(model.covariances_, covariance_type, 3, 2)
        assert_allclose(full[captured], model.reg_covar * np.eye(2), rtol=1e-6, atol=1e-12)
    # without the regulariser that component has zero variance: refused, naming reg_covar
    if covariance_type != "tied":
        with pytest.raises(ValueError, match="reg_covar"):
            fit_strictly(GaussianMixture(3, covariance_type=covariance_type, means_init=means_init,
                                         reg_covar=0.0, random_state=0), X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_integer_and_float32_data_fit_like_float64(covariance_type):
    reference = DATASETS["integers"].astype(np.float64)
    expected = fit_strictly(GaussianMixture(2, covariance_type=covariance_type, random_state=0), reference)
    for data in (DATASETS["integers"], reference.astype(np.float32)):
        model = fit_strictly(GaussianMixture(2, covariance_type=covariance_type, random_state=0), data)
        assert_allclose(model.means_, expected.means_)
        assert_allclose(model.covariances_, expected.covariances_)
        assert model.score(data) == pytest.approx(expected.score(reference))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("factor", [1e100, 1e-100])
def test_scale_equivariance_at_extreme_scales(covariance_type, factor):
    # reg_covar is a variance, so it carries the square of the data's units: to fit c * X the
    # way X was fitted it must be c^2 times as large.  The default 1e-6 would swamp data of
    # variance 1e-200 (and be nothing next to 1e200), so it is scaled here with the data.
    reg_covar = 1e-6
    base = fit_strictly(
        GaussianMixture(2, covariance_type=covariance_type, reg_covar=reg_covar, random_state=0), BLOBS
    )
    scaled = fit_strictly(
        GaussianMixture(2, covariance_type=covariance_type, reg_covar=reg_covar * factor**2,
                        random_state=0),
        BLOBS * factor,
    )
    assert_finite_model(scaled, BLOBS * factor)
    assert_array_equal(scaled.predict(BLOBS * factor), base.predict(BLOBS))
    assert_allclose(scaled.weights_, base.weights_, rtol=1e-9)
    assert_allclose(scaled.means_ / factor, base.means_, rtol=1e-9, atol=1e-12)
    assert_allclose(scaled.covariances_ / factor**2, base.covariances_, rtol=1e-9, atol=1e-12)
    # densities scale by 1 / c^d: the per-point log-likelihood drops by d log c
    shift = BLOBS.shape[1] * np.log(factor)
    assert scaled.score(BLOBS * factor) == pytest.approx(base.score(BLOBS) - shift, rel=1e-9)


# ---------------------------------------------------------------- the teaching primitives

def test_em_without_reg_covar_names_it_when_a_component_collapses():
    X = np.r_[BLOBS[:, 0], 50.0]  # 1-D: one far point, and a component started on it
    with pytest.raises(ValueError, match=r"singular covariance.*Pass reg_covar > 0"):
        gmmlib.em(X, [0.5, 0.5], [0.0, 50.0], [1.0, 1.0], reg_covar=0.0)
    # the remedy the message suggests works: the component keeps the point, variance reg_covar
    result = gmmlib.em(X, [0.5, 0.5], [0.0, 50.0], [1.0, 1.0], reg_covar=1e-6)
    assert_allclose(result.means[1], 50.0)
    assert_allclose(result.covariances[1], 1e-6, rtol=1e-6)
    assert np.isfinite(result.log_likelihood)


@pytest.mark.parametrize("name", [name for name in DATASETS if not name.endswith("1d")])
def test_em_on_degenerate_data(name):
    X = DATASETS[name]
    scale = float(np.max(np.abs(X)))
    start = dict(weights=[0.5, 0.5], means=X[[0, -1]],
                 covariances=np.stack([np.eye(2) * scale**2] * 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            result = gmmlib.em(X, reg_covar=0.0, max_iter=15, **start)
        except ValueError as error:
            assert type(error) is ValueError and "reg_covar" in str(error)
        else:
            assert name not in ("identical-points", "constant-feature")  # zero variance: refused
            assert np.all(np.isfinite(result.covariances)) and np.isfinite(result.log_likelihood)
        result = gmmlib.em(X, reg_covar=1e-6 * scale**2, max_iter=15, **start)
    for value in (result.weights, result.means, result.covariances, result.log_likelihood):
        assert np.all(np.isfinite(value))


def test_m_step_with_a_component_of_zero_responsibility():
    resp = np.zeros((len(BLOBS), 3))
    resp[:, 0] = 1.0
    resp[:5, 0], resp[:5, 2] = 0.0, 1.0
    with pytest.raises(ValueError, match=r"Component\(s\) \[1\] have total responsibility N_k = 0"):
        gmmlib.m_step(BLOBS, resp)


def test_em_where_a_component_gets_no_responsibility():
    # a component so far away that every responsibility for it underflows to 0
    with pytest.raises(ValueError, match="N_k = 0.*Re-initialise those components or use fewer"):
        gmmlib.em(BLOBS, [0.5, 0.5], [[0.0, 0.0], [1e3, 1e3]], np.stack([np.eye(2)] * 2))


@pytest.mark.parametrize("factor", [1e100, 1e-100])
def test_primitives_at_extreme_scales(factor):
    weights, means = [0.4, 0.6], np.array([[0.0, 0.0], [6.0, 6.0]])
    covariances = np.stack([np.eye(2), [[2.0, 0.5], [0.5, 1.0]]])
    d = BLOBS.shape[1]
    shift = len(BLOBS) * d * np.log(factor)
    assert gmmlib.log_likelihood(BLOBS * factor, weights, means * factor, covariances * factor**2) == (
        pytest.approx(gmmlib.log_likelihood(BLOBS, weights, means, covariances) - shift, rel=1e-12)
    )
    assert_allclose(
        gmmlib.gaussian_logpdf(BLOBS * factor, means[1] * factor, covariances[1] * factor**2),
        gmmlib.gaussian_logpdf(BLOBS, means[1], covariances[1]) - d * np.log(factor),
        rtol=1e-12,
    )
    assert_allclose(
        gmmlib.responsibilities(BLOBS * factor, weights, means * factor, covariances * factor**2),
        gmmlib.responsibilities(BLOBS, weights, means, covariances),
        rtol=1e-9, atol=1e-300,
    )
    result = gmmlib.em(BLOBS * factor, weights, means * factor, covariances * factor**2, max_iter=20)
    reference = gmmlib.em(BLOBS, weights, means, covariances, max_iter=20)
    assert result.n_iter == reference.n_iter
    assert_allclose(result.means / factor, reference.means, rtol=1e-9)
    assert_allclose(result.covariances / factor**2, reference.covariances, rtol=1e-9)


def test_a_fit_that_fails_part_way_leaves_no_half_fitted_model():
    X = np.vstack([BLOBS, [[30.0, 30.0]]])
    start = dict(weights_init=[0.4, 0.4, 0.2], means_init=[[0, 0], [6, 6], [30, 30]],
                 precisions_init=np.stack([np.eye(2)] * 3), max_iter=5)
    model = GaussianMixture(3, **start).fit(X)
    # without reg_covar the third component collapses onto the far point during EM
    model.set_params(reg_covar=0.0)
    with pytest.raises(ValueError, match="reg_covar"):
        model.fit(X)
    assert not [name for name in vars(model) if name.endswith("_")]
    with pytest.raises(gmmlib.NotFittedError, match=r"Call fit\(X\)"):
        model.predict(X)
