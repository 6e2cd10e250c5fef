"""``GaussianMixture``: the estimator, with scikit-learn's API and answers.

The constructor, fitted attributes and methods match ``sklearn.mixture.GaussianMixture``
(same defaults, same EM iterations, same convergence rule, same numbers to rounding).
On top of that: ``history_`` (the parameters after every EM iteration, for figures and
animations) and ``sample_weight`` in ``fit``.

Each EM iteration is one pass over blocks of points (``gmmlib.densities.CentredData``):
the E-step's log-densities come from one or two matrix products per block for all
components, the log-sum-exp is done in place, and the block's responsibilities are added
straight into the M-step's weighted moments (``gmmlib.covariances.WeightedMoments``), so
it is fast and its memory does not grow with N beyond the (N, K) responsibilities.
"""

import warnings
from numbers import Integral
from time import perf_counter

import numpy as np

from ._params import ParamsMixin
from ._validation import (
    check_data,
    check_is_fitted,
    check_model_unchanged,
    check_n_features,
    check_nonnegative_real,
    check_option,
    check_positive_int,
    check_random_state,
    check_sample_weight,
    check_weights,
    check_means,
)
from .covariances import (
    COVARIANCE_TYPES,
    WeightedMoments,
    as_full,
    check_precisions_init,
    estimate_parameters,
    n_parameters,
    parameters_from_moments,
)
from .densities import (
    CHUNK_ROWS,
    ILL_DEFINED_COVARIANCE,
    CentredData,
    covariances_from_precision_cholesky,
    log_gaussian_prob,
    log_gaussian_prob_columns,
    normalise_log_inplace,
    precision_cholesky,
    precisions_from_cholesky,
)
from .em import EMIteration
from .exceptions import ConvergenceWarning, sklearn_compatible
from .initialization import INIT_METHODS, initial_responsibilities


class GaussianMixture(ParamsMixin):
    """Gaussian mixture model fitted by EM (chapters 4-8).

    Parameters
    ----------
    n_components : int, default 1
        The number of mixture components K.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default 'full'
        See ``gmmlib.covariances`` and chapter 7.
    tol : float, default 1e-3
        EM stops when the per-sample average log-likelihood (``lower_bound_``) changes by
        less than ``tol``.
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance: keeps them positive definite (chapter 7).
    max_iter : int, default 100
        EM iterations per initialisation.  ``max_iter=0`` runs none, as in scikit-learn: the
        fitted parameters are the initial ones (to inspect an initialisation), with
        ``converged_=False``, ``n_iter_=0``, ``lower_bound_=-inf`` and no warning.
    n_init : int, default 1
        Initialisations; the one with the highest final lower bound is kept.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default 'kmeans'
        How the initial responsibilities are chosen (``gmmlib.initialization``).  Beware
        ``'random'`` with the default ``tol``: near-uniform responsibilities start every
        component at almost the same place, a saddle of the likelihood, and EM can report
        convergence there after two iterations (chapter 7); use a smaller ``tol`` or
        another initialisation.
    weights_init : array (K,), optional
    means_init : array (K, d), optional
    precisions_init : array, optional
        Inverse covariances, shaped by ``covariance_type`` like ``precisions_``.
    random_state : None, int, numpy RandomState or numpy Generator
        An int gives the same draws as scikit-learn; a ``Generator`` is accepted too but
        draws other numbers, so its fits differ from scikit-learn's (which refuses one).
    warm_start : bool, default False
        If True, a second ``fit`` continues from the fitted parameters (``n_init`` ignored);
        ``n_components`` and ``covariance_type`` must be those of the last fit.
    verbose : int, default 0
    verbose_interval : int, default 10
    keep_history : bool, default True
        Record ``history_``: one ``EMIteration`` per iteration of the best initialisation.

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_
        The fitted parameters (shapes as in ``gmmlib.covariances``).
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Per-sample average log-likelihood at the last E-step of the best initialisation.
    lower_bounds_ : list of float
        ``lower_bound_`` at every iteration of the best initialisation.
    history_ : list of EMIteration
        Parameters after 0, 1, ..., ``n_iter_`` iterations and the per-sample average
        log-likelihood of each.
    n_features_in_ : int
    """

    _estimator_type = "DensityEstimator"  # as sklearn.mixture.GaussianMixture
    _fitted_attribute = "precisions_cholesky_"

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        keep_history=True,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.keep_history = keep_history

    # ------------------------------------------------------------------ checks

    def _check_parameters(self, X):
        """Validate the constructor arguments against the data; return the clean ones."""
        n_components = check_positive_int(self.n_components, "n_components")
        check_option(self.covariance_type, "covariance_type", COVARIANCE_TYPES)
        check_option(self.init_params, "init_params", INIT_METHODS)
        check_nonnegative_real(self.tol, "tol")
        check_nonnegative_real(self.reg_covar, "reg_covar")
        check_positive_int(self.max_iter, "max_iter", minimum=0)
        check_positive_int(self.n_init, "n_init")
        check_positive_int(self.verbose_interval, "verbose_interval")
        n_samples, n_features = X.shape
        if n_samples < max(n_components, 2):
            raise ValueError(
                f"X has {n_samples} samples, but n_components={n_components} needs at least "
                f"{max(n_components, 2)}. Use fewer components or more data."
            )
        inits = {}
        if self.weights_init is not None:
            inits["weights"] = check_weights(self.weights_init, n_components, "weights_init")
        if self.means_init is not None:
            inits["means"] = check_means(self.means_init, n_components, n_features, "means_init")
        if self.precisions_init is not None:
            inits["precisions_cholesky"] = check_precisions_init(
                self.precisions_init, self.covariance_type, n_components, n_features
            )
        return inits

    def _check_warm_start(self, X):
        """A warm start continues from the fitted parameters, so they must suit this fit."""
        check_n_features(X, self.n_features_in_, "the warm-started model", estimator=self)
        check_model_unchanged(
            self, "warm_start=True continues from the fitted parameters",
            "Set warm_start=False to start afresh, or set them back.",
        )

    # ------------------------------------------------------------------ fitting

    def fit(self, X, y=None, sample_weight=None):
        """Fit the mixture by EM; returns self.

        Parameters
        ----------
        X : array-like (N, d), or (N,) for one-dimensional data
        y : ignored
        sample_weight : array-like (N,), optional
            Non-negative weight per point; an integer weight counts the point that many times.
        """
        self.fit_predict(X, sample_weight=sample_weight)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit the mixture by EM and return the most probable component of each point."""
        X = check_data(X)
        inits = self._check_parameters(X)
        weight = check_sample_weight(sample_weight, X.shape[0])
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        if not do_init:
            self._check_warm_start(X)
        n_init = self.n_init if do_init else 1
        random_state = check_random_state(self.random_state)
        resp = np.empty((X.shape[0], self.n_components))

        best = None
        try:
            for init in range(n_init):
                self._verbose_init_start(init)
                if do_init:
                    self._initialize(X, weight, inits, random_state)
                run = self._run_em(X, weight, resp, -np.inf if do_init else self.lower_bound_)
                # scikit-learn's rule: a run without a bound (max_iter=0) replaces the last
                if best is None or run["lower_bound"] > best["lower_bound"] \
                        or best["lower_bound"] == -np.inf:
                    best = run
            self._set_parameters(best["parameters"])
        except ValueError:
            self._forget_fit()  # a fit that fails part-way must not leave a half-fitted model
            raise
        self.converged_ = best["converged"]
        self._fitted_covariance_type = self.covariance_type
        if not self.converged_ and self.max_iter > 0:  # max_iter=0 asks for the initialisation
            warnings.warn(
                "Best performing initialization did not converge. Try different init "
                "parameters, or increase max_iter, tol, or check for degenerate data.",
                sklearn_compatible(ConvergenceWarning),
                stacklevel=2,
            )
        self.n_iter_ = best["n_iter"]
        self.lower_bound_ = best["lower_bound"]
        self.lower_bounds_ = best["lower_bounds"]
        self.n_features_in_ = X.shape[1]
        # A final E-step, so that fit_predict(X) == fit(X).predict(X) (as in scikit-learn);
        # it also gives the log-likelihood of the final parameters for the history.
        final_log_likelihood = self._e_step(X, weight, resp)
        if self.keep_history:
            history = best["history"]
            last = history[-1]
            history[-1] = EMIteration(last.iteration, last.weights, last.means,
                                      last.covariances, final_log_likelihood)
            self.history_ = history
        return resp.argmax(axis=1)

    def _forget_fit(self):
        """Delete every fitted attribute (the names ending in ``_``): back to unfitted."""
        for name in [name for name in vars(self) if name.endswith("_") and name[0] != "_"]:
            delattr(self, name)

    def _initialize(self, X, weight, inits, random_state):
        """Starting parameters: one M-step on initial responsibilities, overridden by ``*_init``."""
        n_samples = X.shape[0]
        if len(inits) == 3:
            n_per_component = means = covariances = None
        else:
            resp = initial_responsibilities(
                X, self.n_components, self.init_params, random_state, sample_weight=weight
            )
            n_per_component, means, covariances = estimate_parameters(
                X, resp * weight[:, np.newaxis], self.reg_covar, self.covariance_type
            )
        if "weights" in inits:
            self.weights_ = inits["weights"].copy()
        else:
            self.weights_ = n_per_component / weight.sum()
        self.means_ = inits["means"].copy() if "means" in inits else means
        if "precisions_cholesky" in inits:
            self.precisions_cholesky_ = inits["precisions_cholesky"].copy()
            self.covariances_ = covariances_from_precision_cholesky(
                self.precisions_cholesky_, self.covariance_type
            )
        else:
            self.covariances_ = covariances
            self.precisions_cholesky_ = precision_cholesky(covariances, self.covariance_type)

    def _run_em(self, X, weight, resp, lower_bound):
        """EM iterations from the current parameters until |change| < tol or max_iter."""
        history = [self._snapshot(0)] if self.keep_history else None
        lower_bounds = []
        converged = False
        n_iter = 0
        data = CentredData(X, self.covariance_type, point_weights=weight)
        for n_iter in range(1, self.max_iter + 1):
            previous = lower_bound
            moments = WeightedMoments(self.n_components, data)
            lower_bound = self._expectation(data, weight, resp, moments)
            if history is not None:
                history[-1] = _with_log_likelihood(history[-1], lower_bound)
            self._m_step(data, weight, resp, moments)
            lower_bounds.append(lower_bound)
            if history is not None:
                history.append(self._snapshot(n_iter))
            change = lower_bound - previous
            self._verbose_iteration(n_iter, change)
            if abs(change) < self.tol:
                converged = True
                break
        if n_iter == 0:  # max_iter=0: no E-step ran, so there is no bound (as in scikit-learn)
            lower_bound = -np.inf
        else:
            self._verbose_init_end(lower_bound, converged)
        return {
            "lower_bound": lower_bound,
            "lower_bounds": lower_bounds,
            "converged": converged,
            "n_iter": n_iter,
            "parameters": self._get_parameters(),
            "history": history,
        }

    def _e_step(self, X, weight, resp):
        """Fill ``resp`` with responsibilities (eq-responsibility) in place.

        Returns the weighted per-sample average log-likelihood (eq-log-likelihood) / N.
        """
        return self._expectation(CentredData(X, self.covariance_type), weight, resp=resp)

    def _expectation(self, data, weight, resp=None, moments=None):
        """The E-step over blocks of points, each block also added to the M-step's moments.

        Fills ``resp`` (N, K) if given and adds each block's weighted responsibilities
        to ``moments`` (a ``WeightedMoments``) if given, while the block is in the cache,
        so an EM iteration reads the data once.  Returns the weighted per-sample average
        log-likelihood (eq-log-likelihood) / N.
        """
        centred_means = self.means_ - data.centre
        with np.errstate(divide="ignore"):  # a weight of exactly 0 gives log 0 = -inf
            log_weights = np.log(self.weights_)[:, np.newaxis]
        unit_weights = bool(np.all(weight == 1.0))
        total = 0.0
        for points in data.blocks():
            block = log_gaussian_prob_columns(
                data.centred[:, points], centred_means, self.precisions_cholesky_,
                self.covariance_type, data.stored_moments(points))
            block += log_weights
            total += normalise_log_inplace(block, axis=0) @ weight[points]
            if resp is not None:
                resp[points] = block.T
            if moments is not None:
                if not unit_weights:
                    block *= weight[points]
                moments.add(block, data.moments(points))
        return total / weight.sum()

    def _m_step(self, data, weight, resp, moments):
        """Closed-form updates (eq-m-step-nk) to (eq-m-step-weights) from the weighted moments.

        ``resp`` is only read if a scatter must be recomputed from centred differences.
        """
        weighted_resp = resp if np.all(weight == 1.0) else resp * weight[:, np.newaxis]
        n_per_component, self.means_, self.covariances_ = parameters_from_moments(
            moments, data, self.reg_covar, self.covariance_type, weighted_resp
        )
        self.weights_ = n_per_component / n_per_component.sum()
        self.precisions_cholesky_ = precision_cholesky(self.covariances_, self.covariance_type)

    def _weighted_log_prob(self, X):
        """log pi_k + log N(x_n | mu_k, Sigma_k), shape (N, K)."""
        with np.errstate(divide="ignore"):
            log_weights = np.log(self.weights_)
        return log_gaussian_prob(X, self.means_, self.precisions_cholesky_,
                                 self.covariance_type) + log_weights

    def _snapshot(self, iteration):
        return EMIteration(iteration, self.weights_.copy(), self.means_.copy(),
                           self.covariances_.copy(), np.nan)

    def _get_parameters(self):
        return (self.weights_, self.means_, self.covariances_, self.precisions_cholesky_)

    def _set_parameters(self, parameters):
        self.weights_, self.means_, self.covariances_, self.precisions_cholesky_ = parameters
        with np.errstate(over="ignore"):
            self.precisions_ = precisions_from_cholesky(self.precisions_cholesky_,
                                                        self.covariance_type)
        if not np.all(np.isfinite(self.precisions_)):  # a variance below ~1e-308 has no inverse
            raise ValueError(ILL_DEFINED_COVARIANCE)

    # ------------------------------------------------------------------ using a fitted model

    def _check_fitted_data(self, X):
        check_is_fitted(self, "precisions_cholesky_")
        X = check_data(X)
        check_n_features(X, self.n_features_in_, estimator=self)
        return X

    def score_samples(self, X):
        """Log-density ``log p(x_n)`` of each point under the model, shape (N,)."""
        X = self._check_fitted_data(X)
        log_density = np.empty(X.shape[0])
        for start in range(0, X.shape[0], CHUNK_ROWS):
            block = self._weighted_log_prob(X[start : start + CHUNK_ROWS])
            log_density[start : start + CHUNK_ROWS] = normalise_log_inplace(block, axis=1)
        return log_density

    def score(self, X, y=None):
        """Per-sample average log-likelihood of X."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X):
        """Responsibilities of the components for each point, shape (N, K)."""
        X = self._check_fitted_data(X)
        resp = np.empty((X.shape[0], self.n_components))
        for start in range(0, X.shape[0], CHUNK_ROWS):
            block = resp[start : start + CHUNK_ROWS]
            block[...] = self._weighted_log_prob(X[start : start + CHUNK_ROWS])
            normalise_log_inplace(block, axis=1)
        return resp

    def predict(self, X):
        """The most probable component of each point, shape (N,)."""
        X = self._check_fitted_data(X)
        return self._weighted_log_prob(X).argmax(axis=1)

    def sample(self, n_samples=1):
        """Draw points by ancestral sampling: a component from the weights, then its Gaussian.

        Returns
        -------
        X : ndarray (n_samples, d)
        labels : ndarray (n_samples,), the component each point came from
        """
        check_is_fitted(self, "precisions_cholesky_")
        if isinstance(n_samples, Integral) and not isinstance(n_samples, bool) and n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples}. The sampling requires at least one "
                "sample: n_samples must be an integer >= 1."
            )
        n_samples = check_positive_int(n_samples, "n_samples")
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_ / self.weights_.sum())
        n_features = self.means_.shape[1]
        covariances = as_full(self.covariances_, self.covariance_type, self.n_components, n_features)
        blocks = []
        for mean, covariance, count in zip(self.means_, covariances, counts):
            chol = np.linalg.cholesky(covariance)
            blocks.append(mean + rng.standard_normal((count, n_features)) @ chol.T)
        labels = np.repeat(np.arange(self.n_components), counts)
        return np.vstack(blocks), labels

    def _n_parameters(self):
        """Free parameters: means, covariances and K - 1 weights."""
        return n_parameters(self.n_components, self.means_.shape[1], self.covariance_type)

    def bic(self, X):
        """Bayesian information criterion (eq-bic): ``-2 log L + p log N``; lower is better."""
        X = self._check_fitted_data(X)
        return -2 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X):
        """Akaike information criterion (eq-aic): ``-2 log L + 2 p``; lower is better."""
        X = self._check_fitted_data(X)
        return -2 * self.score(X) * X.shape[0] + 2 * self._n_parameters()

    # ------------------------------------------------------------------ progress messages

    def _verbose_init_start(self, init):
        if self.verbose >= 1:
            print(f"Initialization {init}")
            self._started = self._last_report = perf_counter()

    def _verbose_iteration(self, n_iter, change):
        if self.verbose >= 1 and n_iter % self.verbose_interval == 0:
            if self.verbose == 1:
                print(f"  Iteration {n_iter}")
            else:
                now = perf_counter()
                print(f"  Iteration {n_iter}\t time lapse {now - self._last_report:.5f}s\t "
                      f"ll change {change:.5f}")
                self._last_report = now

    def _verbose_init_end(self, lower_bound, converged):
        if self.verbose >= 1:
            status = "converged" if converged else "did not converge"
            if self.verbose == 1:
                print(f"Initialization {status}.")
            else:
                print(f"Initialization {status}. time lapse {perf_counter() - self._started:.5f}s"
                      f"\t lower bound {lower_bound:.5f}.")


def _with_log_likelihood(iteration, log_likelihood):
    return EMIteration(iteration.iteration, iteration.weights, iteration.means,
                       iteration.covariances, log_likelihood)
