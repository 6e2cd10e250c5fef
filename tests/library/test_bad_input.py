"""Every public function refuses bad input with a ValueError/TypeError that says what is wrong.

Public API: the teaching primitives (gaussian_logpdf, responsibilities, log_likelihood,
m_step, em), GaussianMixture and all its methods, KMeans and kmeans_plusplus.  Each test
checks the exception type *and* that the message names the problem (and, where there is
one, the fix), so a message that degrades into numpy's internals fails the test.

Messages start with scikit-learn's sentence for the same problem where it has one (its users
and its tests match on it).  As in scikit-learn, max_iter=0 is accepted (it returns the
initialisation; see test_sklearn_compat.py); unlike scikit-learn, gmmlib accepts 1-D X as N
one-dimensional samples, checked here.
"""

import re

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import gmmlib
from gmmlib import GaussianMixture, KMeans, NotFittedError, kmeans_plusplus

RNG = np.random.RandomState(0)
X = np.vstack([RNG.normal(size=(10, 2)), RNG.normal(size=(10, 2)) + 5])  # (20, 2)
WEIGHTS = np.array([0.5, 0.5])
MEANS = np.array([[0.0, 0.0], [5.0, 5.0]])
COVARIANCES = np.stack([np.eye(2), np.eye(2)])
RESP = gmmlib.responsibilities(X, WEIGHTS, MEANS, COVARIANCES)


@pytest.fixture(autouse=True, scope="module")
def single_threaded_blas():
    """These tests use tiny matrices, where BLAS threads only contend: on a loaded 2-core
    machine scipy's solve_triangular ran 100x slower with two OpenBLAS threads than one."""
    with threadpool_limits(limits=1):
        yield


def fitted_mixture():
    return GaussianMixture(2, random_state=0).fit(X)


def fitted_kmeans():
    return KMeans(2, random_state=0).fit(X)


# ---------------------------------------------------------------- bad data, every entry point

# (id, data, exception, words the message must contain)
BAD_DATA = [
    ("nan", np.where(np.eye(20, 2, dtype=bool), np.nan, X), ValueError, "NaN or infinity"),
    ("inf", np.where(np.eye(20, 2, dtype=bool), np.inf, X), ValueError, "NaN or infinity"),
    ("minus-inf", np.where(np.eye(20, 2, dtype=bool), -np.inf, X), ValueError, "NaN or infinity"),
    ("empty-2d", np.empty((0, 2)), ValueError, "0 samples"),
    ("empty-list", [], ValueError, "0 samples"),
    ("no-features", np.empty((20, 0)), ValueError, "0 features"),
    ("3-d", X[np.newaxis], ValueError, "3 dimensions.*Reshape"),
    ("strings", X.astype(str), TypeError, "numeric.*Convert strings"),
    ("objects", np.where(np.eye(20, 2, dtype=bool), {"a": 1}, X.astype(object)), TypeError,
     "numeric.*could not be converted.*Convert strings or objects"),
    ("none", None, TypeError, "numeric"),
    ("complex", X + 1j, ValueError, "Complex data not supported: X must be real-valued"),
    ("ragged", [[1.0, 2.0], [3.0]], TypeError, "numeric array"),
]

# every public function or method that takes data, as a function of that data
ENTRY_POINTS = {
    "gaussian_logpdf": lambda data: gmmlib.gaussian_logpdf(data, MEANS[0], COVARIANCES[0]),
    "responsibilities": lambda data: gmmlib.responsibilities(data, WEIGHTS, MEANS, COVARIANCES),
    "log_likelihood": lambda data: gmmlib.log_likelihood(data, WEIGHTS, MEANS, COVARIANCES),
    "m_step": lambda data: gmmlib.m_step(data, RESP),
    "em": lambda data: gmmlib.em(data, WEIGHTS, MEANS, COVARIANCES),
    "GaussianMixture.fit": lambda data: GaussianMixture(2).fit(data),
    "GaussianMixture.fit_predict": lambda data: GaussianMixture(2).fit_predict(data),
    "GaussianMixture.predict": lambda data: fitted_mixture().predict(data),
    "GaussianMixture.predict_proba": lambda data: fitted_mixture().predict_proba(data),
    "GaussianMixture.score": lambda data: fitted_mixture().score(data),
    "GaussianMixture.score_samples": lambda data: fitted_mixture().score_samples(data),
    "GaussianMixture.bic": lambda data: fitted_mixture().bic(data),
    "GaussianMixture.aic": lambda data: fitted_mixture().aic(data),
    "KMeans.fit": lambda data: KMeans(2).fit(data),
    "KMeans.fit_predict": lambda data: KMeans(2).fit_predict(data),
    "KMeans.predict": lambda data: fitted_kmeans().predict(data),
    "kmeans_plusplus": lambda data: kmeans_plusplus(data, 2),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
@pytest.mark.parametrize(
    "data, error, words", [case[1:] for case in BAD_DATA], ids=[case[0] for case in BAD_DATA]
)
def test_bad_data_is_refused_everywhere(entry, data, error, words):
    with pytest.raises(error, match=words) as caught:
        entry(data)
    # the refusal comes from gmmlib's checks and names the argument at fault
    assert re.search(r"\bX\b", str(caught.value))


ONE_D = dict(weights=[0.5, 0.5], means=[0.0, 5.0], covariances=[1.0, 1.0])  # (K,) for d = 1


@pytest.mark.parametrize(
    "entry, shape",
    [
        (lambda data: GaussianMixture(2, random_state=0).fit(data).predict(data), (20,)),
        (lambda data: GaussianMixture(2, random_state=0).fit(data).means_, (2, 1)),
        (lambda data: KMeans(2, random_state=0).fit(data).predict(data), (20,)),
        (lambda data: kmeans_plusplus(data, 2, random_state=0)[0], (2, 1)),
        (lambda data: gmmlib.gaussian_logpdf(data, 0.0, 1.0), (20,)),
        (lambda data: gmmlib.responsibilities(data, **ONE_D), (20, 2)),
        (lambda data: gmmlib.log_likelihood(data, **ONE_D), ()),
        (lambda data: gmmlib.m_step(data, gmmlib.responsibilities(data, **ONE_D))[2], (2,)),
        (lambda data: gmmlib.em(data, **ONE_D).means, (2,)),
    ],
    ids=["GaussianMixture.predict", "GaussianMixture.means_", "KMeans.predict",
         "kmeans_plusplus", "gaussian_logpdf", "responsibilities", "log_likelihood", "m_step", "em"],
)
def test_one_dimensional_x_is_n_samples_not_an_error(entry, shape):
    result = np.asarray(entry(X[:, 0]))
    assert result.shape == shape
    assert np.all(np.isfinite(result))


def test_lists_integers_and_numpy_integers_are_accepted():
    model = GaussianMixture(np.int64(2), max_iter=np.int32(50), random_state=0)
    labels = model.fit_predict(np.round(X * 10).astype(int).tolist())
    assert labels.shape == (20,)
    assert np.all(np.isfinite(model.means_))


# ---------------------------------------------------------------- parameters of the primitives

BAD_WEIGHTS = [
    ("negative", [1.5, -0.5], ValueError, r"weights are probabilities, each in \[0, 1\]"),
    ("not-summing-to-1", [0.3, 0.3], ValueError, "weights are probabilities and must sum to 1. "
     "Divide them by their sum"),
    ("too-few", [1.0], ValueError, r"means must have shape \(1, 2\)"),
    ("2-d", [[0.5, 0.5]], ValueError, "weights must be a 1-D array"),
    ("scalar", 1.0, ValueError, "weights must be a 1-D array"),
    ("empty", [], ValueError, "weights must be a 1-D array"),
    ("nan", [np.nan, 0.5], ValueError, "weights contains NaN"),
    ("strings", ["a", "b"], TypeError, "weights must be numeric"),
]
BAD_MEANS = [
    ("too-many-components", np.zeros((3, 2)), ValueError, r"means must have shape \(2, 2\)"),
    ("too-many-features", np.zeros((2, 3)), ValueError, r"means must have shape \(2, 2\)"),
    ("flat", np.zeros(2), ValueError, r"means must have shape \(2, 2\)"),
    ("nan", np.full((2, 2), np.nan), ValueError, "means contains NaN"),
    ("strings", [["a", "b"], ["c", "d"]], TypeError, "means must be numeric"),
]
BAD_COVARIANCES = [
    ("not-symmetric", [np.eye(2), [[1.0, 0.5], [0.0, 1.0]]], ValueError,
     r"covariances\[1\] must be symmetric.*\(S \+ S.T\) / 2"),
    ("indefinite", [np.eye(2), [[1.0, 2.0], [2.0, 1.0]]], ValueError,
     r"covariances\[1\] is not positive definite.*multiple of the identity"),
    ("singular", [np.eye(2), np.ones((2, 2))], ValueError, "not positive definite"),
    ("negative-variance", [np.eye(2), -np.eye(2)], ValueError, "not positive definite"),
    ("wrong-shape", np.stack([np.eye(3)] * 2), ValueError,
     r"covariances must have shape \(2, 2, 2\)"),
    ("one-matrix", np.eye(2), ValueError, r"covariances must have shape \(2, 2, 2\)"),
    ("inf", [np.eye(2), np.diag([np.inf, 1.0])], ValueError, "covariances contains NaN or infinity"),
    ("complex", COVARIANCES + 0j, ValueError, "covariances must be real-valued"),
]
PRIMITIVES = {
    "responsibilities": gmmlib.responsibilities,
    "log_likelihood": gmmlib.log_likelihood,
    "em": gmmlib.em,
}


@pytest.mark.parametrize("primitive", PRIMITIVES.values(), ids=PRIMITIVES.keys())
@pytest.mark.parametrize(
    "weights, error, words", [c[1:] for c in BAD_WEIGHTS], ids=[c[0] for c in BAD_WEIGHTS]
)
def test_bad_weights(primitive, weights, error, words):
    with pytest.raises(error, match=words):
        primitive(X, weights, MEANS, COVARIANCES)


@pytest.mark.parametrize("primitive", PRIMITIVES.values(), ids=PRIMITIVES.keys())
@pytest.mark.parametrize(
    "means, error, words", [c[1:] for c in BAD_MEANS], ids=[c[0] for c in BAD_MEANS]
)
def test_bad_means(primitive, means, error, words):
    with pytest.raises(error, match=words):
        primitive(X, WEIGHTS, means, COVARIANCES)


@pytest.mark.parametrize("primitive", PRIMITIVES.values(), ids=PRIMITIVES.keys())
@pytest.mark.parametrize(
    "covariances, error, words", [c[1:] for c in BAD_COVARIANCES],
    ids=[c[0] for c in BAD_COVARIANCES],
)
def test_bad_covariances(primitive, covariances, error, words):
    with pytest.raises(error, match=words):
        primitive(X, WEIGHTS, MEANS, covariances)


def test_covariance_symmetric_up_to_rounding_is_accepted():
    # a covariance with a constant feature: its off-diagonal entries are rounding noise of
    # order 1e-31 that differs between (i, j) and (j, i); that is symmetric, not an error
    noisy = np.array([[5.39, 6.57e-31], [3.79e-31, 1e-6]])
    assert np.isfinite(gmmlib.log_likelihood(X, [1.0], [[0.0, 0.0]], [noisy]))


@pytest.mark.parametrize(
    "mean, cov, error, words",
    [
        ([0.0, 0.0, 0.0], np.eye(2), ValueError, r"mean must have shape \(1, 2\)"),
        ([np.nan, 0.0], np.eye(2), ValueError, "mean contains NaN"),
        ("ab", np.eye(2), TypeError, "mean must be numeric"),
        ([0.0, 0.0], np.eye(3), ValueError, r"cov must have shape"),
        ([0.0, 0.0], [[1.0, 0.3], [0.0, 1.0]], ValueError, "cov.* must be symmetric"),
        ([0.0, 0.0], [[1.0, 0.0], [0.0, -1.0]], ValueError, "cov.* is not positive definite"),
        ([0.0, 0.0], np.eye(2) * (1 + 1j), ValueError, "cov must be real-valued"),
        ([0.0, 0.0], [["1", "0"], ["0", "1"]], TypeError, "cov must be numeric"),
        ([0.0, 0.0], np.array([[1.0, {}], [{}, 1.0]]), TypeError, "cov must be numeric"),
        ([0.0, 0.0], [[1.0], [0.0, 1.0]], TypeError, "cov could not be turned into a numeric"),
        ([0.0, 0.0], np.eye(2) * np.nan, ValueError, "cov contains NaN"),
    ],
    ids=["mean-shape", "mean-nan", "mean-str", "cov-shape", "cov-asymmetric", "cov-indefinite",
         "cov-complex", "cov-str", "cov-object", "cov-ragged", "cov-nan"],
)
def test_gaussian_logpdf_bad_parameters(mean, cov, error, words):
    with pytest.raises(error, match=words):
        gmmlib.gaussian_logpdf(X, mean, cov)


@pytest.mark.parametrize(
    "resp, words",
    [
        (RESP[:-1], r"resp must have shape \(N, K\) with one row per point of X \(N = 20\)"),
        (np.vstack([RESP, RESP[:1]]), r"one row per point of X \(N = 20\).*on the same X"),
        (RESP[:, 0], r"resp must have shape \(N, K\)"),
        (RESP[:, :, np.newaxis], r"resp must have shape \(N, K\)"),
        (RESP * 2, "rows? summing to 1"),
        (np.column_stack([np.full(20, 1.5), np.full(20, -0.5)]), "non-negative"),
        (np.where(RESP > 0.5, np.nan, RESP), "resp contains NaN"),
    ],
    ids=["one-row-short", "one-row-long", "1-d", "3-d", "rows-sum-to-2", "negative", "nan"],
)
def test_m_step_bad_responsibilities(resp, words):
    with pytest.raises(ValueError, match=words):
        gmmlib.m_step(X, resp)


def test_m_step_with_an_empty_component_says_so():
    resp = np.column_stack([np.ones(20), np.zeros(20)])
    with pytest.raises(ValueError, match=r"Component\(s\) \[1\] have total responsibility N_k = 0"):
        gmmlib.m_step(X, resp)


@pytest.mark.parametrize(
    "value, error",
    [(-1.0, ValueError), (-1e-12, ValueError), (np.nan, ValueError), (np.inf, ValueError),
     ("1e-6", TypeError), (None, TypeError), (True, TypeError)],
)
def test_m_step_and_em_bad_reg_covar(value, error):
    with pytest.raises(error, match="reg_covar must be a"):
        gmmlib.m_step(X, RESP, reg_covar=value)
    with pytest.raises(error, match="reg_covar must be a"):
        gmmlib.em(X, WEIGHTS, MEANS, COVARIANCES, reg_covar=value)


@pytest.mark.parametrize(
    "name, value, error",
    [
        ("max_iter", 0, ValueError),  # the primitive em() needs at least one iteration
        ("max_iter", -1, ValueError),
        ("max_iter", 2.5, TypeError),
        ("max_iter", True, TypeError),
        ("tol", -1e-3, ValueError),
        ("tol", np.nan, ValueError),
        ("tol", "small", TypeError),
    ],
)
def test_em_bad_stopping_rule(name, value, error):
    with pytest.raises(error, match=f"{name} must be"):
        gmmlib.em(X, WEIGHTS, MEANS, COVARIANCES, **{name: value})


def test_evaluating_a_mixture_at_a_single_point_is_fine():
    # fewer points than components is only a problem for fitting, not for evaluation
    resp = gmmlib.responsibilities(X[:1], WEIGHTS, MEANS, COVARIANCES)
    assert resp.shape == (1, 2) and np.isclose(resp.sum(), 1.0)


def test_primitives_refuse_data_with_other_dimension_than_the_parameters():
    with pytest.raises(ValueError, match=r"means must have shape \(2, 3\)"):
        gmmlib.responsibilities(np.ones((5, 3)), WEIGHTS, MEANS, COVARIANCES)


# ---------------------------------------------------------------- n_components and friends

BAD_COUNTS = [(0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError),
              ("3", TypeError), (None, TypeError), (np.float64(2.0), TypeError)]


@pytest.mark.parametrize("value, error", BAD_COUNTS)
def test_n_components_must_be_a_positive_integer(value, error):
    words = "n_components must be an integer >= 1, got " + re.escape(repr(value))
    with pytest.raises(error, match=words):
        GaussianMixture(value).fit(X)


@pytest.mark.parametrize("value, error", BAD_COUNTS)
def test_n_clusters_must_be_a_positive_integer(value, error):
    with pytest.raises(error, match="n_clusters must be an integer >= 1"):
        KMeans(value).fit(X)
    with pytest.raises(error, match="n_clusters must be an integer >= 1"):
        kmeans_plusplus(X, value)


@pytest.mark.parametrize(
    "fit, words",
    [
        (lambda: GaussianMixture(3).fit(X[:2]),
         "X has 2 samples, but n_components=3 needs at least 3. Use fewer components"),
        (lambda: GaussianMixture(21).fit(X), "X has 20 samples, but n_components=21 needs at least 21"),
        (lambda: KMeans(3).fit(X[:2]), "n_clusters=3 needs at least .*X has 2.*Use fewer clusters"),
        (lambda: kmeans_plusplus(X[:2], 3), r"n_clusters=3 exceeds the number of samples \(2\)"),
        (lambda: gmmlib.em(X[:1], WEIGHTS, MEANS, COVARIANCES, reg_covar=1e-3),
         "X has 1 samples, but 2 components need at least 2. Use fewer components"),
    ],
    ids=["GaussianMixture", "GaussianMixture-21", "KMeans", "kmeans_plusplus", "em"],
)
def test_fewer_samples_than_components(fit, words):
    with pytest.raises(ValueError, match=words):
        fit()


def test_a_mixture_needs_two_samples_even_for_one_component():
    with pytest.raises(ValueError, match="X has 1 samples, but n_components=1 needs at least 2"):
        GaussianMixture(1).fit(X[:1])


# ---------------------------------------------------------------- GaussianMixture parameters

BAD_PARAMETERS = [
    ("covariance_type", "fully", ValueError, "covariance_type must be one of 'full', 'tied'"),
    ("covariance_type", None, ValueError, "covariance_type must be one of"),
    ("covariance_type", ["full"], ValueError, "covariance_type must be one of"),
    ("covariance_type", np.array(["full"]), ValueError, "covariance_type must be one of"),
    ("init_params", "kmean", ValueError, "init_params must be one of 'kmeans', 'k-means\\+\\+'"),
    ("init_params", "KMEANS", ValueError, "init_params must be one of"),
    ("reg_covar", -1e-6, ValueError, "reg_covar must be a finite number >= 0"),
    ("reg_covar", np.nan, ValueError, "reg_covar must be a finite number >= 0"),
    ("reg_covar", np.inf, ValueError, "reg_covar must be a finite number >= 0"),
    ("reg_covar", "1e-6", TypeError, "reg_covar must be a non-negative number"),
    ("tol", -1e-3, ValueError, "tol must be a finite number >= 0"),
    ("tol", None, TypeError, "tol must be a non-negative number"),
    ("max_iter", -1, ValueError, "max_iter must be an integer >= 0, got -1"),
    ("max_iter", -5, ValueError, "max_iter must be an integer >= 0"),
    ("max_iter", 10.0, TypeError, "max_iter must be an integer >= 0"),
    ("n_init", 0, ValueError, "n_init must be an integer >= 1, got 0"),
    ("n_init", 1.5, TypeError, "n_init must be an integer >= 1"),
    ("verbose_interval", 0, ValueError, "verbose_interval must be an integer >= 1"),
    ("random_state", "0", TypeError,
     "random_state must be None, an int, a numpy RandomState or a numpy Generator"),
    ("random_state", 1.5, TypeError, "random_state must be None, an int"),
    ("weights_init", [1.2, -0.2], ValueError,
     r"'weights' should be in the range \[0, 1\], but got max value 1.20000, min value -0.20000: "
     r"weights_init are probabilities, each in \[0, 1\]"),
    ("weights_init", [0.2, 0.2], ValueError,
     r"should be normalized, but got sum\(weights\) = 0.40000: weights_init are probabilities "
     "and must sum to 1. Divide them by their sum"),
    ("weights_init", [1.0], ValueError,
     r"'weights' should have the shape of \(2,\), but got \(1,\): weights_init needs one weight "
     "per component"),
    ("weights_init", [[0.5, 0.5]], ValueError, r"shape of \(2,\), but got \(1, 2\)"),
    ("weights_init", 0.5, ValueError, r"shape of \(2,\), but got \(\): weights_init needs"),
    ("weights_init", [np.nan, 1.0], ValueError, "weights_init contains NaN"),
    ("means_init", np.zeros((3, 2)), ValueError,
     r"means_init must have shape \(2, 2\) = \(n_components, n_features\)"),
    ("means_init", np.zeros((2, 3)), ValueError, r"means_init must have shape \(2, 2\)"),
    ("means_init", np.zeros(2), ValueError, r"means_init must have shape \(2, 2\)"),
    ("means_init", [[0, 0], [np.inf, 0]], ValueError, "means_init contains NaN or infinity"),
    ("means_init", [["a", "b"], ["c", "d"]], TypeError, "means_init must be numeric"),
    ("precisions_init", "identity", TypeError, "precisions_init must be numeric"),
]


@pytest.mark.parametrize(
    "name, value, error, words", BAD_PARAMETERS,
    ids=[f"{name}={value!r}"[:40] for name, value, *_ in BAD_PARAMETERS],
)
def test_gaussian_mixture_bad_parameter(name, value, error, words):
    model = GaussianMixture(2, **{name: value})
    with pytest.raises(error, match=words):
        model.fit(X)
    assert not hasattr(model, "means_")  # refused before any fitting was done


def _precision_cases():
    """(covariance_type, precisions_init, words) that must be refused, for every type."""
    eye = np.eye(2)
    asymmetric = [[1.0, 0.5], [0.0, 1.0]]
    indefinite = [[1.0, 2.0], [2.0, 1.0]]
    return [
        ("full", np.stack([eye, asymmetric]), "'(full|tied) precision' should be symmetric, positive-definite: precisions_init must be symmetric positive definite"),
        ("full", np.stack([eye, indefinite]), "'(full|tied) precision' should be symmetric, positive-definite: precisions_init must be symmetric positive definite"),
        ("full", np.stack([eye, -eye]), "'(full|tied) precision' should be symmetric, positive-definite: precisions_init must be symmetric positive definite"),
        ("full", eye, r"The parameter 'full precision' should have the shape of \(2, 2, 2\), but got "
                      r"\(2, 2\): precisions_init for covariance_type='full' must have shape \(2, 2, 2\)"),
        ("tied", np.array(asymmetric), "'(full|tied) precision' should be symmetric, positive-definite: precisions_init must be symmetric positive definite"),
        ("tied", np.array(indefinite), "'(full|tied) precision' should be symmetric, positive-definite: precisions_init must be symmetric positive definite"),
        ("tied", np.stack([eye, eye]), r"precisions_init for .*'tied' must have shape \(2, 2\)"),
        ("diag", [[1.0, 1.0], [1.0, -1.0]],
         r"'diag precision' should be positive: precisions_init must be positive \(.*inverse variances"),
        ("diag", [[1.0, 1.0], [1.0, 0.0]], "precisions_init must be positive"),
        ("diag", [1.0, 1.0], r"precisions_init for .*'diag' must have shape \(2, 2\)"),
        ("spherical", [1.0, 0.0],
         r"'spherical precision' should be positive: precisions_init must be positive \(.*inverse"),
        ("spherical", [1.0, -2.0], "precisions_init must be positive"),
        ("spherical", [[1.0, 1.0]], r"precisions_init for .*'spherical' must have shape \(2,\)"),
        ("full", np.stack([eye, eye * np.nan]), "precisions_init contains NaN"),
    ]


@pytest.mark.parametrize("covariance_type, precisions, words", _precision_cases())
def test_precisions_init_must_be_positive_definite_and_shaped_by_type(
    covariance_type, precisions, words
):
    model = GaussianMixture(2, covariance_type=covariance_type, precisions_init=precisions)
    with pytest.raises(ValueError, match=words):
        model.fit(X)


@pytest.mark.parametrize(
    "sample_weight, error, words",
    [
        (-np.ones(20), ValueError, "sample_weight must be non-negative"),
        (np.ones(19), ValueError, r"sample_weight must have one entry per sample, shape \(20,\)"),
        (np.zeros(20), ValueError, "sample_weight sums to 0"),
        (np.full(20, np.nan), ValueError, "sample_weight contains NaN"),
        (np.array(["1"] * 20), TypeError, "sample_weight must be numeric"),
    ],
    ids=["negative", "wrong-length", "all-zero", "nan", "strings"],
)
@pytest.mark.parametrize(
    "fit",
    [lambda w: GaussianMixture(2).fit(X, sample_weight=w),
     lambda w: KMeans(2).fit(X, sample_weight=w),
     lambda w: kmeans_plusplus(X, 2, sample_weight=w)],
    ids=["GaussianMixture", "KMeans", "kmeans_plusplus"],
)
def test_bad_sample_weight(fit, sample_weight, error, words):
    with pytest.raises(error, match=words):
        fit(sample_weight)


# ---------------------------------------------------------------- using a model before / beyond fit

UNFITTED_CALLS = {
    "predict": lambda model: model.predict(X),
    "predict_proba": lambda model: model.predict_proba(X),
    "score": lambda model: model.score(X),
    "score_samples": lambda model: model.score_samples(X),
    "bic": lambda model: model.bic(X),
    "aic": lambda model: model.aic(X),
    "sample": lambda model: model.sample(5),
}


@pytest.mark.parametrize("call", UNFITTED_CALLS.values(), ids=UNFITTED_CALLS.keys())
def test_gaussian_mixture_used_before_fit(call):
    with pytest.raises(NotFittedError, match=r"This GaussianMixture instance is not fitted yet. Call "
                       r"'fit' with appropriate arguments .*Call fit\(X\) first"):
        call(GaussianMixture(2))


def test_kmeans_used_before_fit():
    with pytest.raises(NotFittedError, match=r"This KMeans instance is not fitted yet.*Call fit\(X\)"):
        KMeans(2).predict(X)


def test_not_fitted_error_is_a_value_error():
    assert issubclass(NotFittedError, ValueError)
    with pytest.raises(ValueError, match="fit"):
        GaussianMixture().predict(X)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "score_samples", "bic", "aic"])
@pytest.mark.parametrize("n_features", [1, 3])
def test_gaussian_mixture_refuses_another_number_of_features(method, n_features):
    other = np.ones((5, n_features))
    words = (f"X has {n_features} features, but GaussianMixture is expecting 2 features as input "
             r"\(the model was fitted with 2\).*same columns")
    with pytest.raises(ValueError, match=words):
        getattr(fitted_mixture(), method)(other)


def test_kmeans_refuses_another_number_of_features():
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 2 features"):
        fitted_kmeans().predict(np.ones((4, 3)))


@pytest.mark.parametrize(
    "n_samples, error", [(0, ValueError), (-3, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_sample_needs_a_positive_integer(n_samples, error):
    if error is ValueError:  # scikit-learn's sentence, then gmmlib's
        words = f"Invalid value for 'n_samples': {n_samples}. .*n_samples must be an integer >= 1"
    else:
        words = "n_samples must be an integer >= 1"
    with pytest.raises(error, match=words):
        fitted_mixture().sample(n_samples)


@pytest.mark.parametrize(
    "change, data, words",
    [
        ({}, RNG.normal(size=(20, 3)), "X has 3 features, .*the warm-started model was fitted with 2"),
        ({"n_components": 3}, X, "n_components or covariance_type changed.*warm_start=False"),
        ({"covariance_type": "diag"}, X, "n_components or covariance_type changed"),
    ],
    ids=["n_features", "n_components", "covariance_type"],
)
def test_warm_start_refuses_a_fit_that_does_not_continue_the_last(change, data, words):
    model = GaussianMixture(2, warm_start=True, random_state=0).fit(X)
    model.set_params(**change)
    with pytest.raises(ValueError, match=words):
        model.fit(data)


def test_set_params_refuses_unknown_names():
    with pytest.raises(ValueError, match="'n_component' is not a parameter of GaussianMixture"):
        GaussianMixture().set_params(n_component=2)
