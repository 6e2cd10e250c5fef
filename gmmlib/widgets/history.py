"""An EM history made ready to draw: parameters stacked as (T, K, d) and (T, K, d, d), and
each frame's E-step from the library's one E-step, ``gmmlib.responsibilities``."""

from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array, check_means, check_option
from ..covariances import COVARIANCE_TYPES, as_full, expected_shape
from ..em import mixture_logpdf, responsibilities
from ..mixture import GaussianMixture

# Responsibilities of every frame are kept while they take at most this many numbers
# (32 MB); beyond, only the most recently drawn frames are.
CACHE_ALL_FRAMES = 4_000_000
CACHE_RECENT_FRAMES = 64


@dataclass(frozen=True)
class EMFrame:
    """What an EM explorer draws for one entry of the history.

    Attributes
    ----------
    index : int
        Position in the history (the iteration slider's value).
    iteration : int
        The EM iteration (``EMIteration.iteration``); 0 is the initialisation.
    weights : ndarray (K,)
    means : ndarray (K, d)
    covariances : ndarray (K, d, d)
        Full matrices, whatever the covariance type (``gmmlib.covariances.as_full``).
    responsibilities : ndarray (N, K)
        The E-step (eq-responsibility) under these parameters: the point colours.
    log_likelihood : float
        The value the trace marks and the title prints (units as in the history: per
        point for ``GaussianMixture.history_``, a total for ``em(...).history``).
    """

    index: int
    iteration: int
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    responsibilities: np.ndarray
    log_likelihood: float


def _infer_covariance_type(covariances, n_components, n_features, hint):
    """The covariance type whose shape ``covariances`` has; ``hint`` breaks ties."""
    shape = np.shape(covariances)
    candidates = [kind for kind in COVARIANCE_TYPES
                  if shape == expected_shape(kind, n_components, n_features)]
    if hint in candidates:
        return hint
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        shapes = ", ".join(f"{kind} {expected_shape(kind, n_components, n_features)}"
                           for kind in COVARIANCE_TYPES)
        raise ValueError(
            f"history covariances have shape {shape}, which fits no covariance type for "
            f"K={n_components} components in d={n_features} dimensions ({shapes})."
        )
    raise ValueError(
        f"history covariances of shape {shape} could be {' or '.join(candidates)}; pass "
        "covariance_type= to say which."
    )


def _unwrap_history(history, covariance_type):
    """(list of EMIteration, covariance type hint, log-likelihood label) from what was given."""
    label = "log-likelihood"
    if isinstance(history, GaussianMixture) and not hasattr(history, "history_"):
        raise ValueError(
            "this GaussianMixture has no history_: fit it first (with keep_history=True).")
    if hasattr(history, "history_"):  # a fitted GaussianMixture
        return history.history_, history.covariance_type, "log-likelihood per point"
    if hasattr(history, "history") and not isinstance(history, (list, tuple)):  # EMResult
        history = history.history
    if covariance_type is not None:
        check_option(covariance_type, "covariance_type", COVARIANCE_TYPES)
    if not isinstance(history, (list, tuple)):
        raise TypeError(
            "history must be a list of EMIteration (GaussianMixture.history_ or "
            "em(...).history), an EMResult or a fitted GaussianMixture; got "
            f"{type(history).__name__}."
        )
    if len(history) == 0:
        raise ValueError(
            "history is empty; fit the model first (it needs at least one EMIteration).")
    required = ("weights", "means", "covariances", "log_likelihood")
    for position, entry in enumerate(history):
        missing = [name for name in required if not hasattr(entry, name)]
        if missing:
            raise TypeError(
                f"history[{position}] has no {', '.join(missing)}; history entries must be "
                "EMIteration objects (weights, means, covariances, log_likelihood)."
            )
    return list(history), covariance_type, label


class _EMHistory:
    """A validated EM history on data X: parameters as (K, d) / (K, d, d), E-steps on demand."""

    def __init__(self, X, history, covariance_type=None):
        history, covariance_type, self.label = _unwrap_history(history, covariance_type)
        self.X = X
        n_samples, n_features = X.shape
        n_components = np.size(history[0].weights)
        if n_components < 1:
            raise ValueError("history[0].weights is empty; a mixture needs at least one component.")
        self.covariance_type = _infer_covariance_type(
            history[0].covariances, n_components, n_features, covariance_type)
        shape = expected_shape(self.covariance_type, n_components, n_features)
        weights, means, covariances = [], [], []
        for position, entry in enumerate(history):
            w = as_float_array(entry.weights, f"history[{position}].weights").reshape(-1)
            if w.shape != (n_components,):
                raise ValueError(
                    f"history[{position}].weights has shape {w.shape}, but history[0] has "
                    f"{n_components} components; every entry must have the same K."
                )
            weights.append(w)
            means.append(check_means(entry.means, n_components, n_features,
                                     f"history[{position}].means"))
            c = as_float_array(entry.covariances, f"history[{position}].covariances")
            if c.shape != shape:
                raise ValueError(
                    f"history[{position}].covariances has shape {c.shape}; expected {shape} "
                    "like history[0]."
                )
            covariances.append(as_full(c, self.covariance_type, n_components, n_features))
        self.history = history
        self.weights = np.stack(weights)
        self.means = np.stack(means)
        self.covariances = np.stack(covariances).astype(float)
        self.iterations = np.array(
            [getattr(entry, "iteration", i) for i, entry in enumerate(history)])
        self._resp = {}
        self._cache_all = n_samples * n_components * len(history) <= CACHE_ALL_FRAMES
        self.log_likelihoods = np.array([entry.log_likelihood for entry in history], dtype=float)
        missing = ~np.isfinite(self.log_likelihoods)
        if np.any(missing):  # e.g. hand-made entries: the per-point average log-likelihood
            self.label = "log-likelihood per point"
            self.log_likelihoods = np.array([
                mixture_logpdf(X, *self._parameters(index)).mean()
                for index in range(len(history))])

    def __len__(self):
        return len(self.history)

    @property
    def n_components(self):
        return self.weights.shape[1]

    def _parameters(self, index):
        """(weights, means, covariances) of history[index], weights scaled to sum to 1.

        GaussianMixture's start from 'random_from_data' has weights N_k / N that do not
        sum to 1 (as in scikit-learn); the scaling leaves the responsibilities unchanged.
        """
        weights = self.weights[index]
        return weights / weights.sum(), self.means[index], self.covariances[index]

    def responsibilities(self, index):
        """The E-step (eq-responsibility) under history[index], by ``gmmlib.responsibilities``."""
        if index not in self._resp:
            if not self._cache_all and len(self._resp) >= CACHE_RECENT_FRAMES:
                self._resp.clear()
            try:
                self._resp[index] = responsibilities(self.X, *self._parameters(index))
            except ValueError as error:
                raise ValueError(
                    f"history[{index}] cannot be drawn: {error} A collapsed component? "
                    "Refit with reg_covar > 0."
                ) from None
        return self._resp[index]

    def frame(self, index):
        return EMFrame(int(index), int(self.iterations[index]), self.weights[index].copy(),
                       self.means[index].copy(), self.covariances[index].copy(),
                       self.responsibilities(index).copy(), float(self.log_likelihoods[index]))
