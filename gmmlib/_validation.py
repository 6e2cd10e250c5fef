"""Input checks shared by every public function.

Each check either returns a clean float64 array or raises a ``ValueError`` /
``TypeError`` whose message says what was wrong and how to fix it.
"""

from numbers import Integral, Real

import numpy as np

from .exceptions import NotFittedError, sklearn_compatible


def as_float_array(values, name, allow_nan=False):
    """Convert ``values`` to a float64 array, refusing non-numeric input."""
    if values is None:
        raise TypeError(f"{name} must be numeric (int or float), but is None.")
    if hasattr(values, "toarray"):  # a scipy.sparse matrix or array
        raise TypeError(
            f"{name} is a sparse matrix, but gmmlib needs dense data. "
            f"Convert it with {name}.toarray() first."
        )
    try:
        array = np.asarray(values)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} could not be turned into a numeric array ({error}).") from None
    if array.dtype.kind in "USVMm":
        raise TypeError(
            f"{name} must be numeric (int or float), but has dtype {array.dtype}. "
            "Convert strings or objects to numbers first."
        )
    if array.dtype.kind == "c":  # a ValueError with scikit-learn's words, as scikit-learn
        raise ValueError(
            f"Complex data not supported: {name} must be real-valued, but has complex dtype "
            f"{array.dtype}."
        )
    try:  # an object array of numbers is accepted, as in scikit-learn
        array = array.astype(np.float64, copy=False)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be numeric (int or float), but has dtype {array.dtype} and "
            f"could not be converted ({error}). Convert strings or objects to numbers first."
        ) from None
    if not allow_nan and not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} contains NaN or infinity. Remove or impute those values before fitting."
        )
    return array


def check_data(X, name="X", min_samples=1):
    """Return ``X`` as an (N, d) float64 array; (N,) means N one-dimensional samples."""
    X = as_float_array(X, name)
    if X.ndim == 1:
        X = X[:, np.newaxis]
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (N samples) or 2-D (N samples x d features), "
            f"but has {X.ndim} dimensions with shape {X.shape}. Reshape it to (N, d)."
        )
    n_samples, n_features = X.shape
    if n_samples < min_samples:
        raise ValueError(
            f"{name} has {n_samples} samples, but at least {min_samples} are needed."
        )
    if n_features == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required: "
            f"{name} has 0 features; every sample needs at least one value."
        )
    return X


def check_positive_int(value, name, minimum=1):
    """Refuse anything but an integer >= ``minimum`` (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_nonnegative_real(value, name):
    """Refuse anything but a finite real number >= 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a non-negative number, got {value!r}.")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}.")
    return float(value)


def check_option(value, name, options):
    """Refuse a string that is not one of ``options``."""
    if not isinstance(value, str) or value not in options:
        choices = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {choices}; got {value!r}.")
    return value


def check_weights(weights, n_components, name="weights"):
    """Mixing weights: shape (K,), each in [0, 1], summing to 1."""
    # Each message starts with scikit-learn's sentence for the same problem, then says what to do.
    weights = as_float_array(weights, name)
    if weights.shape != (n_components,):
        raise ValueError(
            f"The parameter 'weights' should have the shape of ({n_components},), but got "
            f"{weights.shape}: {name} needs one weight per component."
        )
    if np.any(weights < 0) or np.any(weights > 1):
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got "
            f"max value {weights.max():.5f}, min value {weights.min():.5f}: "
            f"{name} are probabilities, each in [0, 1]."
        )
    if not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-8):
        raise ValueError(
            "The parameter 'weights' should be normalized, but got "
            f"sum(weights) = {weights.sum():.5f}: {name} are probabilities and must sum to 1. "
            "Divide them by their sum."
        )
    return weights


def check_means(means, n_components, n_features, name="means"):
    """Component means: shape (K, d); for d = 1 a (K,) vector is accepted too."""
    means = as_float_array(means, name)
    if n_features == 1 and means.shape == (n_components,):
        means = means[:, np.newaxis]
    if means.shape != (n_components, n_features):
        raise ValueError(
            f"The parameter 'means' should have the shape of {(n_components, n_features)}, "
            f"but got {means.shape}: {name} must have shape ({n_components}, {n_features}) = "
            "(n_components, n_features)."
        )
    return means


def check_covariances(covariances, n_components, n_features, name="covariances"):
    """Full covariances (K, d, d), symmetric positive definite; for d = 1 (K,) variances too."""
    covariances = as_float_array(covariances, name)
    if n_features == 1 and covariances.shape == (n_components,):
        covariances = covariances[:, np.newaxis, np.newaxis]
    if covariances.shape != (n_components, n_features, n_features):
        raise ValueError(
            f"{name} must have shape ({n_components}, {n_features}, {n_features}) = "
            f"(n_components, n_features, n_features); got {covariances.shape}."
        )
    for k, covariance in enumerate(covariances):
        check_spd(covariance, f"{name}[{k}]")
    return covariances


def check_spd(matrix, name):
    """Refuse a matrix that is not symmetric positive definite."""
    # Entry (i, j) is compared on its own scale sqrt(S_ii S_jj), so that rounding noise in a
    # near-zero covariance (e.g. with a constant feature) is not mistaken for asymmetry.
    root = np.sqrt(np.abs(np.diag(matrix)))
    if np.any(np.abs(matrix - matrix.T) > 1e-8 * np.outer(root, root)):
        raise ValueError(f"{name} must be symmetric; make it so with (S + S.T) / 2.")
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} is not positive definite (a zero or negative variance direction). "
            "Use a covariance with positive eigenvalues, e.g. add a small multiple of the identity."
        ) from None


def check_random_state(seed):
    """The random number generator that ``random_state`` asks for.

    None means numpy's global RandomState, an int a new ``RandomState(seed)`` (so an int gives
    the same draws as scikit-learn), and a ``RandomState`` or ``Generator`` is used as it is.
    gmmlib draws only through methods both classes have (``uniform``, ``choice``,
    ``permutation``, ``multinomial``, ``standard_normal``), but a ``Generator`` draws other
    numbers than a ``RandomState``, so fits seeded with one differ from scikit-learn's
    (which does not accept a ``Generator``).
    """
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        return seed
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    raise TypeError(
        "random_state must be None, an int, a numpy RandomState or a numpy Generator "
        f"(np.random.default_rng(seed)); got {seed!r}."
    )


def check_sample_weight(sample_weight, n_samples):
    """Per-sample weights: (N,), finite, non-negative, not all zero; None means all ones."""
    if sample_weight is None:
        return np.ones(n_samples)
    weight = as_float_array(sample_weight, "sample_weight").reshape(-1)
    if weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have one entry per sample, shape ({n_samples},); got {weight.shape}."
        )
    if np.any(weight < 0):
        raise ValueError("sample_weight must be non-negative.")
    if weight.sum() <= 0:
        raise ValueError(
            "sample_weight sums to 0 (all weights are zero); at least one sample needs a "
            "positive weight."
        )
    return weight


def check_is_fitted(estimator, attribute):
    """Raise NotFittedError unless ``estimator`` has the fitted ``attribute``."""
    if not hasattr(estimator, attribute):
        # scikit-learn's wording, which its users and tests match on, then gmmlib's hint.
        raise sklearn_compatible(NotFittedError)(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator. Call fit(X) first."
        )


def check_n_features(X, n_features_in, what="the model", estimator=None):
    """Refuse data whose number of features differs from what was fitted.

    With ``estimator`` the message starts with scikit-learn's sentence for it.
    """
    if X.shape[1] != n_features_in:
        fitted = f"{what} was fitted with {n_features_in}"
        if estimator is not None:
            name = type(estimator).__name__
            fitted = f"{name} is expecting {n_features_in} features as input ({fitted})"
        hint = (" A 1-D array is read as N samples of one feature: Reshape your data with "
                "X.reshape(1, -1) if it holds one sample." if X.shape[1] == 1 else "")
        raise ValueError(
            f"X has {X.shape[1]} features, but {fitted}. Pass data with the same columns as "
            f"in fit.{hint}"
        )


def check_model_unchanged(estimator, action, remedy):
    """``action`` continues from the fitted model, so n_components and covariance_type must not
    have changed since it was fitted.  The covariance type is compared by name: with K == d,
    tied (d, d) and diag (K, d) covariances have the same shape."""
    fitted = (estimator.means_.shape[0], estimator._fitted_covariance_type)
    if fitted != (estimator.n_components, estimator.covariance_type):
        raise ValueError(
            f"{action}, but n_components or covariance_type changed since that fit (from "
            f"n_components={fitted[0]}, covariance_type={fitted[1]!r} to "
            f"n_components={estimator.n_components}, covariance_type={estimator.covariance_type!r}). "
            f"{remedy}"
        )
