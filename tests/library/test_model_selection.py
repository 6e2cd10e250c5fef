"""Choosing K: BIC/AIC agree with scikit-learn, and the criteria find well-separated clusters."""

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import gmmlib
from gmmlib import model_selection
from gmmlib.covariances import n_parameters
from gmmlib.datasets import sample_mixture

X, LABELS = sample_mixture(
    600, [0.4, 0.35, 0.25], [[0, 0], [6, 0], [3, 6]],
    [np.eye(2), [[1.0, 0.5], [0.5, 1.0]], 0.6 * np.eye(2)], random_state=0,
)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("n_components", [1, 3, 5])
def test_parameter_count_matches_scikit_learn(covariance_type, n_components):
    theirs = SklearnGaussianMixture(n_components, covariance_type=covariance_type,
                                    random_state=0, max_iter=5).fit(X)
    assert n_parameters(n_components, 2, covariance_type) == theirs._n_parameters()


def test_information_criteria_match_scikit_learn_fits():
    rows = model_selection.information_criteria(X, [1, 2, 3, 4], ["full", "diag"], random_state=0)
    assert len(rows) == 8
    for row in rows:
        theirs = SklearnGaussianMixture(row["n_components"], covariance_type=row["covariance_type"],
                                        random_state=0).fit(X)
        assert row["bic"] == pytest.approx(theirs.bic(X), rel=1e-6)
        assert row["aic"] == pytest.approx(theirs.aic(X), rel=1e-6)
        assert row["log_likelihood"] == pytest.approx(theirs.score(X) * len(X), rel=1e-6)


@pytest.mark.parametrize("criterion", ["bic", "aic", "icl", "cv"])
def test_each_criterion_finds_three_separated_clusters(criterion):
    best, rows = model_selection.select_n_components(X, range(1, 7), criterion=criterion,
                                                      random_state=0, n_init=2)
    assert best["n_components"] == 3
    assert len(rows) == 6


def test_icl_is_bic_plus_the_assignment_entropy_penalty():
    model = gmmlib.GaussianMixture(3, random_state=0).fit(X)
    resp = model.predict_proba(X)
    penalty = -2 * np.sum(np.log(resp.max(axis=1)))
    assert penalty > 0
    assert model_selection.icl(model, X) == pytest.approx(model.bic(X) + penalty)


def test_cross_validation_rows_keep_the_fold_scores():
    _, rows = model_selection.select_n_components(X, [2, 3], criterion="cv", n_folds=4,
                                                  random_state=0)
    for row in rows:
        assert row["cv_folds"].shape == (4,)
        assert row["cv"] == pytest.approx(row["cv_folds"].mean())
        assert row["cv_std"] == pytest.approx(row["cv_folds"].std(ddof=1))


def test_folds_partition_the_data():
    folds = model_selection.k_fold_indices(103, 5, random_state=1)
    assert len(folds) == 5
    assert sorted(np.concatenate(folds)) == list(range(103))
    assert max(map(len, folds)) - min(map(len, folds)) <= 1


def test_cross_validation_scores_each_fold_with_a_model_fitted_on_the_rest():
    scores = model_selection.cross_validated_log_likelihood(X, 3, n_folds=4, random_state=2)
    test = model_selection.k_fold_indices(len(X), 4, random_state=2)[1]
    train = np.setdiff1d(np.arange(len(X)), test)
    expected = gmmlib.GaussianMixture(3, random_state=2).fit(X[train]).score(X[test])
    assert scores.shape == (4,)
    assert scores[1] == pytest.approx(expected)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="criterion"):
        model_selection.select_n_components(X, [1, 2], criterion="likelihood")
    with pytest.raises(ValueError, match="empty"):
        model_selection.information_criteria(X, [])
    with pytest.raises(ValueError, match="n_folds"):
        model_selection.k_fold_indices(10, 1)
