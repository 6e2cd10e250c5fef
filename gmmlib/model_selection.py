"""Choosing the number of components K and the covariance type (chapter 8).

* ``information_criteria``   BIC (eq-bic) and AIC (eq-aic) over a grid of K and covariance types
* ``held_out_log_likelihood`` average log-likelihood of test data under a model fitted on train data
* ``cross_validated_log_likelihood`` the same averaged over k folds
* ``icl``                    the integrated completed likelihood, BIC plus a penalty for overlap
* ``select_n_components``    the K (and covariance type) that a criterion prefers

Tables are returned as lists of dicts (one row per fitted model), so they print, plot and
convert to a pandas DataFrame (``pandas.DataFrame(rows)``) without requiring pandas.
"""

import warnings

import numpy as np

from ._validation import check_data, check_option, check_positive_int, check_random_state
from .covariances import COVARIANCE_TYPES, n_parameters
from .exceptions import ConvergenceWarning
from .mixture import GaussianMixture

CRITERIA = ("bic", "aic", "icl", "cv")


def _fit(X, n_components, covariance_type, **params):
    model = GaussianMixture(n_components, covariance_type=covariance_type, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


def _check_candidates(n_components_range, covariance_types):
    candidates = [check_positive_int(k, "n_components") for k in n_components_range]
    if not candidates:
        raise ValueError("n_components_range is empty; give at least one K to try.")
    if isinstance(covariance_types, str):
        covariance_types = [covariance_types]
    for covariance_type in covariance_types:
        check_option(covariance_type, "covariance_type", COVARIANCE_TYPES)
    return candidates, list(covariance_types)


def information_criteria(X, n_components_range, covariance_types=("full",), **params):
    """Fit a mixture for every (K, covariance type) and tabulate BIC and AIC.

    ``BIC = -2 log L + p log N`` (eq-bic) and ``AIC = -2 log L + 2 p`` (eq-aic), with ``p``
    the number of free parameters; lower is better.  ``params`` go to ``GaussianMixture``
    (e.g. ``random_state``, ``n_init``).

    Every K is fitted independently, so the ``log_likelihood`` column can dip where a fit
    for a larger K lands in a worse local optimum; ``n_init`` > 1 makes that rarer.

    Returns
    -------
    list of dict with keys ``n_components``, ``covariance_type``, ``n_parameters``,
    ``log_likelihood`` (total over X), ``bic``, ``aic``, ``icl``.
    """
    X = check_data(X)
    candidates, covariance_types = _check_candidates(n_components_range, covariance_types)
    rows = []
    for covariance_type in covariance_types:
        for n_components in candidates:
            model = _fit(X, n_components, covariance_type, **params)
            rows.append({
                "n_components": n_components,
                "covariance_type": covariance_type,
                "n_parameters": n_parameters(n_components, X.shape[1], covariance_type),
                "log_likelihood": model.score(X) * X.shape[0],
                "bic": model.bic(X),
                "aic": model.aic(X),
                "icl": icl(model, X),
            })
    return rows


def icl(model, X):
    """Integrated completed likelihood (Biernacki, Celeux & Govaert 2000); lower is better.

    ``ICL = BIC - 2 sum_n log max_k r_nk``: the BIC plus twice the entropy-like cost of the
    hard assignments, so it also penalises components that overlap.  It favours K that gives
    well-separated clusters, where BIC favours K that gives a good density.
    """
    X = check_data(X)
    resp = model.predict_proba(X)
    return float(model.bic(X) - 2.0 * np.sum(np.log(resp.max(axis=1))))


def held_out_log_likelihood(X_train, X_test, n_components, covariance_type="full", **params):
    """Average log-likelihood per test point under a mixture fitted on the training points."""
    X_train, X_test = check_data(X_train, "X_train"), check_data(X_test, "X_test")
    return _fit(X_train, n_components, covariance_type, **params).score(X_test)


def k_fold_indices(n_samples, n_folds, random_state=None):
    """Shuffle 0..N-1 and split it into ``n_folds`` nearly equal test folds."""
    n_folds = check_positive_int(n_folds, "n_folds", minimum=2)
    if n_folds > n_samples:
        raise ValueError(f"n_folds={n_folds} exceeds the number of samples ({n_samples}).")
    order = check_random_state(random_state).permutation(n_samples)
    return np.array_split(order, n_folds)


def cross_validated_log_likelihood(X, n_components, covariance_type="full", n_folds=5,
                                   random_state=None, **params):
    """Held-out average log-likelihood of each of ``n_folds`` folds, shape (n_folds,).

    Each fold is scored by a mixture fitted on the other folds; the mean over folds
    estimates how well a model with this K generalises (chapter 8).  ``random_state``
    both shuffles the folds and seeds each fit: pass an int so that different K are
    scored on the same folds and can be compared fold by fold.
    """
    X = check_data(X)
    scores = []
    for test in k_fold_indices(X.shape[0], n_folds, random_state):
        train = np.setdiff1d(np.arange(X.shape[0]), test)
        scores.append(held_out_log_likelihood(X[train], X[test], n_components, covariance_type,
                                              random_state=random_state, **params))
    return np.array(scores)


def select_n_components(X, n_components_range, covariance_types=("full",), criterion="bic",
                        n_folds=5, **params):
    """The (K, covariance type) a criterion prefers, and the table it was chosen from.

    ``criterion`` is ``'bic'``, ``'aic'`` or ``'icl'`` (lowest wins) or ``'cv'`` (highest
    mean cross-validated log-likelihood wins).

    Returns
    -------
    best : dict, the winning row
    rows : list of dict, every candidate (for criterion='cv': ``cv``, the mean held-out
        log-likelihood per point, ``cv_std`` its standard deviation over folds, and
        ``cv_folds`` the per-fold values, for paired comparisons)
    """
    check_option(criterion, "criterion", CRITERIA)
    if criterion != "cv":
        rows = information_criteria(X, n_components_range, covariance_types, **params)
        return min(rows, key=lambda row: row[criterion]), rows
    X = check_data(X)
    candidates, covariance_types = _check_candidates(n_components_range, covariance_types)
    rows = []
    for covariance_type in covariance_types:
        for n_components in candidates:
            folds = cross_validated_log_likelihood(X, n_components, covariance_type, n_folds,
                                                   **params)
            rows.append({"n_components": n_components, "covariance_type": covariance_type,
                         "cv": float(folds.mean()), "cv_std": float(folds.std(ddof=1)),
                         "cv_folds": folds})
    return max(rows, key=lambda row: row["cv"]), rows
