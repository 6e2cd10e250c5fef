"""gmmlib's estimators inside scikit-learn's machinery, and the conventions a switching user meets.

Pipeline, GridSearchCV, cross_val_score and clone are compared with scikit-learn's own
GaussianMixture / KMeans in the same machinery (same best parameters, same scores to 1e-6).
scikit-learn stays optional: ``import gmmlib`` must not import it.  scikit-learn's estimator
checks run on all three estimators; the checks expected to fail are listed with their reasons
in ``EXPECTED_FAILED_CHECKS`` (they are reported as xfail, not skipped).
"""

import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import gmmlib
from gmmlib.datasets import three_blobs

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.cluster import KMeans as SklearnKMeans  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

X, _ = three_blobs(300, random_state=1)
X_FAR = X * [1.0, 30.0] + [5.0, -200.0]  # features on different scales, for the scaler


# ---------------------------------------------------------------- scikit-learn stays optional

def run_python(code):
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_import_gmmlib_does_not_import_sklearn():
    output = run_python("""
        import sys
        import gmmlib, gmmlib.model_selection, gmmlib.datasets, gmmlib.covariances
        model = gmmlib.GaussianMixture(2, random_state=0).fit([[0.0], [0.1], [5.0], [5.2]])
        try:
            gmmlib.KMeans(2).predict([[0.0]])
        except gmmlib.NotFittedError as error:
            print(type(error) is gmmlib.NotFittedError)
        print(sorted(name for name in sys.modules if name.split(".")[0] == "sklearn"))
    """)
    assert output.split() == ["True", "[]"]


# ---------------------------------------------------------------- the estimator protocol

@pytest.mark.parametrize(
    "ours, theirs",
    [(gmmlib.GaussianMixture(), SklearnGaussianMixture()),
     (gmmlib.MiniBatchGaussianMixture(), SklearnGaussianMixture()),
     (gmmlib.KMeans(), SklearnKMeans())],
    ids=["GaussianMixture", "MiniBatchGaussianMixture", "KMeans"],
)
def test_tags_give_the_estimator_type_of_sklearns_estimator(ours, theirs):
    our_tags, their_tags = get_tags(ours), get_tags(theirs)
    assert our_tags.estimator_type == their_tags.estimator_type is not None
    assert our_tags.target_tags.required is their_tags.target_tags.required is False
    assert our_tags.input_tags.allow_nan is False and our_tags.input_tags.sparse is False


@pytest.mark.parametrize("model", [gmmlib.GaussianMixture(3, random_state=0),
                                   gmmlib.MiniBatchGaussianMixture(3, random_state=0),
                                   gmmlib.KMeans(3, random_state=0)],
                         ids=["GaussianMixture", "MiniBatchGaussianMixture", "KMeans"])
def test_check_is_fitted_and_not_fitted_error_as_sklearn_users_catch_it(model):
    with pytest.raises(NotFittedError, match="instance is not fitted yet. Call 'fit' with"):
        check_is_fitted(model)
    with pytest.raises(NotFittedError, match=f"This {type(model).__name__} instance is not fitted"):
        model.predict(X)
    with pytest.raises(AttributeError):  # as sklearn.exceptions.NotFittedError
        model.predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    check_is_fitted(model)
    assert model.n_features_in_ == 2


def test_not_fitted_error_pickles_as_gmmlibs_class():
    with pytest.raises(NotFittedError) as caught:
        gmmlib.GaussianMixture().score(X)
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is gmmlib.NotFittedError and again.args == caught.value.args


def test_convergence_warning_is_caught_as_sklearns_and_as_gmmlibs():
    with pytest.warns(ConvergenceWarning, match="Best performing initialization did not converge"):
        gmmlib.GaussianMixture(3, max_iter=1, random_state=0).fit(X)
    with pytest.warns(gmmlib.ConvergenceWarning, match="Mini-batch EM did not converge"):
        gmmlib.MiniBatchGaussianMixture(3, max_iter=1, tol=0.0, random_state=0).fit(X)
    with warnings.catch_warnings():  # a filter on scikit-learn's class silences ours
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        gmmlib.GaussianMixture(3, max_iter=1, random_state=0).fit(X)


@pytest.mark.parametrize("make", [gmmlib.GaussianMixture, gmmlib.MiniBatchGaussianMixture,
                                  gmmlib.KMeans])
def test_clone_gives_an_unfitted_copy_with_the_same_parameters(make):
    model = make(3, random_state=np.random.RandomState(4), tol=1e-5).fit(X)
    copy = clone(model)
    assert type(copy) is make and copy is not model
    assert copy.get_params().keys() == model.get_params().keys()
    for name, value in copy.get_params().items():
        if name == "random_state":  # scikit-learn deep-copies a RandomState
            assert value is not model.random_state
            assert_array_equal(value.get_state()[1], model.random_state.get_state()[1])
        else:
            assert value == model.get_params()[name]
    with pytest.raises(NotFittedError):
        copy.predict(X)


def test_set_params_refuses_unknown_names_in_sklearns_words():
    with pytest.raises(ValueError, match="Invalid parameter 'n_component' for estimator"):
        gmmlib.GaussianMixture().set_params(n_component=2)


# ---------------------------------------------------------------- the machinery, against scikit-learn

def test_pipeline_with_a_scaler_matches_sklearn():
    ours = make_pipeline(StandardScaler(), gmmlib.GaussianMixture(3, random_state=0)).fit(X_FAR)
    theirs = make_pipeline(StandardScaler(), SklearnGaussianMixture(3, random_state=0)).fit(X_FAR)
    assert_array_equal(ours.predict(X_FAR), theirs.predict(X_FAR))
    assert_allclose(ours.score(X_FAR), theirs.score(X_FAR), rtol=1e-6)
    assert_allclose(ours.score_samples(X_FAR), theirs.score_samples(X_FAR), rtol=1e-6)
    assert_allclose(ours.predict_proba(X_FAR), theirs.predict_proba(X_FAR), rtol=1e-6, atol=1e-9)
    assert_array_equal(ours.fit_predict(X_FAR), theirs.fit_predict(X_FAR))


def test_grid_search_over_n_components_and_covariance_type_matches_sklearn():
    grid = {"n_components": [1, 2, 3, 4], "covariance_type": ["full", "tied", "diag", "spherical"]}
    cv = KFold(4, shuffle=True, random_state=0)
    ours = GridSearchCV(gmmlib.GaussianMixture(random_state=0), grid, cv=cv).fit(X)
    theirs = GridSearchCV(SklearnGaussianMixture(random_state=0), grid, cv=cv).fit(X)
    assert ours.best_params_ == theirs.best_params_
    assert_allclose(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"],
                    rtol=1e-6)
    assert isinstance(ours.best_estimator_, gmmlib.GaussianMixture)
    assert ours.best_estimator_.n_components == theirs.best_estimator_.n_components == 3


def test_grid_search_over_a_pipeline_step():
    pipeline = make_pipeline(StandardScaler(), gmmlib.GaussianMixture(random_state=0))
    search = GridSearchCV(pipeline, {"gaussianmixture__n_components": [1, 2, 3, 4]}, cv=3)
    assert search.fit(X_FAR).best_params_ == {"gaussianmixture__n_components": 3}


def test_cross_val_score_matches_sklearn():
    cv = KFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(gmmlib.GaussianMixture(3, covariance_type="diag", random_state=0), X, cv=cv)
    theirs = cross_val_score(SklearnGaussianMixture(3, covariance_type="diag", random_state=0), X,
                             cv=cv)
    assert_allclose(ours, theirs, rtol=1e-6)


def test_kmeans_in_cross_val_score_and_grid_search_matches_sklearn():
    cv = KFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(gmmlib.KMeans(3, random_state=0), X, cv=cv)
    theirs = cross_val_score(SklearnKMeans(3, n_init=1, random_state=0), X, cv=cv)
    assert_allclose(ours, theirs, rtol=1e-6)
    assert np.all(ours < 0)  # minus the within-cluster sum of squares
    search = GridSearchCV(make_pipeline(StandardScaler(), gmmlib.KMeans(random_state=0)),
                          {"kmeans__n_clusters": [2, 3]}, cv=cv).fit(X)
    assert search.best_params_ == {"kmeans__n_clusters": 3}


def test_minibatch_mixture_in_a_pipeline_and_cross_val_score():
    model = gmmlib.MiniBatchGaussianMixture(3, batch_size=100, tol=1e-4, random_state=0)
    pipeline = make_pipeline(StandardScaler(), model).fit(X_FAR)
    batch = make_pipeline(StandardScaler(), SklearnGaussianMixture(3, random_state=0)).fit(X_FAR)
    assert pipeline.score(X_FAR) == pytest.approx(batch.score(X_FAR), abs=0.02)
    scores = cross_val_score(model, X, cv=KFold(3, shuffle=True, random_state=0))
    reference = cross_val_score(SklearnGaussianMixture(3, random_state=0), X,
                                cv=KFold(3, shuffle=True, random_state=0))
    assert_allclose(scores, reference, atol=0.05)


def test_minibatch_fit_predict_is_fit_then_predict():
    model = gmmlib.MiniBatchGaussianMixture(3, batch_size=64, random_state=0)
    labels = model.fit_predict(X)
    assert_array_equal(labels, model.predict(X))
    assert model.n_steps_ > 1  # mini-batch EM ran, not batch EM


# ---------------------------------------------------------------- max_iter=0, as scikit-learn

@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("n_init", [1, 3])
def test_max_iter_zero_returns_the_initialisation_as_sklearn(covariance_type, n_init):
    params = dict(n_components=3, covariance_type=covariance_type, n_init=n_init, max_iter=0,
                  random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither warns: max_iter=0 asks for the initialisation
        ours = gmmlib.GaussianMixture(**params).fit(X)
        theirs = SklearnGaussianMixture(**params).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_"):
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-6)
    assert ours.converged_ is theirs.converged_ is False
    assert ours.n_iter_ == theirs.n_iter_ == 0
    assert ours.lower_bound_ == theirs.lower_bound_ == -np.inf
    assert ours.lower_bounds_ == list(theirs.lower_bounds_) == []
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert len(ours.history_) == 1 and np.isfinite(ours.history_[0].log_likelihood)


def test_max_iter_zero_with_given_means_returns_them():
    means_init = [[0.0, 0.0], [4.0, 4.0], [-3.0, 5.0]]
    model = gmmlib.GaussianMixture(3, means_init=means_init, max_iter=0, random_state=0).fit(X)
    assert_allclose(model.means_, means_init)


def test_minibatch_max_iter_zero_returns_the_initialisation():
    ours = gmmlib.MiniBatchGaussianMixture(3, max_iter=0, random_state=0).fit(X)
    batch = gmmlib.GaussianMixture(3, max_iter=0, random_state=0).fit(X)
    assert_allclose(ours.means_, batch.means_, rtol=1e-12)
    assert_allclose(ours.covariances_, batch.covariances_, rtol=1e-12)
    assert ours.converged_ is False and ours.n_iter_ == 0 and ours.n_steps_ == 0


@pytest.mark.parametrize("make", [gmmlib.GaussianMixture, gmmlib.MiniBatchGaussianMixture])
def test_negative_max_iter_is_refused(make):
    with pytest.raises(ValueError, match="max_iter must be an integer >= 0, got -1"):
        make(2, max_iter=-1).fit(X)


# ---------------------------------------------------------------- random_state takes a Generator

GENERATOR_USES = {
    "GaussianMixture-kmeans": lambda rng: gmmlib.GaussianMixture(3, random_state=rng).fit(X).means_,
    "GaussianMixture-random": lambda rng: gmmlib.GaussianMixture(
        3, init_params="random_from_data", random_state=rng).fit(X).means_,
    "GaussianMixture.sample": lambda rng: gmmlib.GaussianMixture(
        3, random_state=rng).fit(X).sample(50)[0],
    "MiniBatchGaussianMixture": lambda rng: gmmlib.MiniBatchGaussianMixture(
        3, batch_size=100, random_state=rng).fit(X).means_,
    "KMeans": lambda rng: gmmlib.KMeans(3, n_init=2, random_state=rng).fit(X).cluster_centers_,
    "kmeans_plusplus": lambda rng: gmmlib.kmeans_plusplus(X, 3, random_state=rng)[0],
    "sample_mixture": lambda rng: gmmlib.datasets.sample_mixture(
        40, [0.5, 0.5], [[0, 0], [3, 3]], [np.eye(2)] * 2, random_state=rng)[0],
    "cross_validated_log_likelihood": lambda rng: gmmlib.model_selection.cross_validated_log_likelihood(
        X, 3, n_folds=3, random_state=rng),
}


@pytest.mark.parametrize("use", GENERATOR_USES.values(), ids=GENERATOR_USES.keys())
def test_a_generator_seeds_every_random_choice_reproducibly(use):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first = use(np.random.default_rng(7))
        assert np.all(np.isfinite(first))
        assert_array_equal(first, use(np.random.default_rng(7)))


def test_a_generator_seeded_fit_finds_the_same_optimum():
    seeded = gmmlib.GaussianMixture(3, tol=1e-8, random_state=np.random.default_rng(0)).fit(X)
    reference = gmmlib.GaussianMixture(3, tol=1e-8, random_state=0).fit(X)
    assert seeded.score(X) == pytest.approx(reference.score(X), rel=1e-6)


# ---------------------------------------------------------------- warm_start and the covariance type

@pytest.mark.parametrize("first, second", [("tied", "diag"), ("diag", "tied")])
def test_warm_start_notices_a_changed_covariance_type_even_when_shapes_agree(first, second):
    # K == d == 2: tied covariances (d, d) and diag covariances (K, d) have the same shape
    model = gmmlib.GaussianMixture(2, covariance_type=first, warm_start=True, random_state=0)
    model.fit(X)
    model.set_params(covariance_type=second)
    words = (f"covariance_type changed since that fit \\(from n_components=2, "
             f"covariance_type='{first}' to n_components=2, covariance_type='{second}'\\)"
             ".*Set warm_start=False")
    with pytest.raises(ValueError, match=words):
        model.fit(X)
    model.set_params(covariance_type=first).fit(X)  # the same type continues


def test_partial_fit_notices_a_changed_covariance_type():
    model = gmmlib.MiniBatchGaussianMixture(2, covariance_type="tied", random_state=0)
    model.partial_fit(X[:100])
    model.set_params(covariance_type="diag")
    with pytest.raises(ValueError, match="partial_fit continues.*covariance_type='tied' to"):
        model.partial_fit(X[100:200])


# ---------------------------------------------------------------- scikit-learn's estimator checks

ONE_D = ("gmmlib reads a 1-D X as N samples of one feature (the book's 1-D examples use it); "
         "scikit-learn refuses 1-D X")
EXPECTED_FAILED_CHECKS = {
    "GaussianMixture": {"check_fit1d": ONE_D},
    "MiniBatchGaussianMixture": {"check_fit1d": ONE_D},
    "KMeans": {
        "check_fit1d": ONE_D,
        "check_sample_weight_equivalence_on_dense_data": (
            "k-means++ seeding draws different seeds for weighted and for repeated points; "
            "scikit-learn lists its own KMeans as failing this check for the same reason"),
    },
}


# check_array_api_input skips itself unless SCIPY_ARRAY_API is set (gmmlib is numpy-only anyway).
with warnings.catch_warnings():
    # gmmlib's estimators follow the protocol without inheriting sklearn.base.BaseEstimator,
    # so that scikit-learn stays optional; scikit-learn warns about that when collecting.
    warnings.filterwarnings("ignore", "Estimator .* does not inherit from", UserWarning)
    checks = parametrize_with_checks(
        [gmmlib.GaussianMixture(max_iter=20), gmmlib.MiniBatchGaussianMixture(max_iter=5),
         gmmlib.KMeans(max_iter=20)],
        expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS[type(estimator).__name__],
    )


@checks
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
