"""Mini-batch (online) EM: ``partial_fit`` on one batch at a time (chapter 10).

Batch EM's M-step depends on the data only through averaged sufficient statistics

    s0_k = (1/N) sum_n r_nk,   s1_k = (1/N) sum_n r_nk x_n,   s2_k = (1/N) sum_n r_nk x_n x_n^T.

Online EM (Cappé & Moulines 2009) replaces the full-data averages by a running average
updated from each mini-batch with a decreasing step size

    s <- (1 - eta_t) s + eta_t s_batch,     eta_t = (t + t0)^(-kappa),  1/2 < kappa <= 1,

and runs the usual M-step on s.  Each step costs one pass over a batch, not the data set.
"""

import warnings

import numpy as np

from ._validation import (
    check_data,
    check_model_unchanged,
    check_n_features,
    check_nonnegative_real,
    check_positive_int,
    check_random_state,
    check_sample_weight,
)
from .densities import precision_cholesky, precisions_from_cholesky
from .exceptions import ConvergenceWarning, sklearn_compatible
from .mixture import GaussianMixture


class MiniBatchGaussianMixture(GaussianMixture):
    """Gaussian mixture fitted by online EM on mini-batches.

    Takes every ``GaussianMixture`` parameter (``max_iter`` counts epochs, passes over the
    data, for ``fit``; ``max_iter=0`` only initialises, from all of X) plus:

    Parameters
    ----------
    batch_size : int, default 1024
    step_offset : float, default 2.0
        t0 in eta_t = (t + t0)^(-kappa); larger values make early steps more cautious.
    step_decay : float, default 0.6
        kappa, in (0.5, 1]; the Robbins-Monro conditions that guarantee convergence.

    Attributes
    ----------
    n_steps_ : int
        Mini-batches processed so far.
    lower_bound_ : float
        After ``partial_fit``: the batch's per-sample average log-likelihood before its step.
        After ``fit``: the epoch's running estimate of the full-data one, the weighted average
        of its batches' values (each under the parameters of that moment), so that checking
        convergence costs no extra pass over the data; it lags the final parameters by at most
        one epoch of steps.  ``fit`` stops when it changes by less than ``tol`` between epochs.
    All ``GaussianMixture`` attributes; ``history_`` and ``lower_bounds_`` have one entry per
    epoch of ``fit``, holding that epoch's running ``lower_bound_``.
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, random_state=None, warm_start=False,
                 verbose=0, verbose_interval=10, keep_history=True, batch_size=1024,
                 step_offset=2.0, step_decay=0.6):
        super().__init__(
            n_components, covariance_type=covariance_type, tol=tol, reg_covar=reg_covar,
            max_iter=max_iter, n_init=n_init, init_params=init_params,
            weights_init=weights_init, means_init=means_init, precisions_init=precisions_init,
            random_state=random_state, warm_start=warm_start, verbose=verbose,
            verbose_interval=verbose_interval, keep_history=keep_history,
        )
        self.batch_size = batch_size
        self.step_offset = step_offset
        self.step_decay = step_decay

    def _check_online_parameters(self):
        check_positive_int(self.batch_size, "batch_size")
        check_nonnegative_real(self.step_offset, "step_offset")
        decay = check_nonnegative_real(self.step_decay, "step_decay")
        if not 0.5 < decay <= 1.0:
            raise ValueError(
                f"step_decay must be in (0.5, 1] so that the step sizes sum to infinity but "
                f"their squares do not; got {decay}."
            )

    def step_size(self, step):
        """eta_t = (t + t0)^(-kappa) for the t-th mini-batch (t = 1, 2, ...)."""
        return (step + self.step_offset) ** (-self.step_decay)

    def partial_fit(self, X, y=None, sample_weight=None):
        """One online-EM step on the mini-batch X; the first call also initialises.

        Returns self.
        """
        X = check_data(X)
        self._check_online_parameters()
        weight = check_sample_weight(sample_weight, X.shape[0])
        if not hasattr(self, "n_steps_"):
            self._initialize_online(X, weight)
        else:
            self._check_continuation(X)
        resp = np.empty((X.shape[0], self.n_components))
        self.lower_bound_ = self._e_step(X, weight, resp)
        eta = self.step_size(self.n_steps_ + 1)
        batch = self._batch_statistics(X - self._shift, resp * weight[:, None] / weight.mean())
        self._statistics = [(1 - eta) * s + eta * b for s, b in zip(self._statistics, batch)]
        self._parameters_from_statistics()
        self.n_steps_ += 1
        return self

    def fit(self, X, y=None, sample_weight=None):
        """Epochs of mini-batch EM over shuffled X until the running lower bound settles.

        Returns self.  See ``lower_bound_`` for the convergence check.
        """
        X = check_data(X)
        self._check_online_parameters()
        check_positive_int(self.max_iter, "max_iter", minimum=0)
        weight = check_sample_weight(sample_weight, X.shape[0])
        rng = check_random_state(self.random_state)
        for attribute in ("n_steps_", "_statistics"):
            if hasattr(self, attribute) and not self.warm_start:
                delattr(self, attribute)
        if self.max_iter == 0 and not hasattr(self, "n_steps_"):
            self._initialize_online(X, weight)  # as GaussianMixture: the initial parameters
        history, lower_bounds, lower_bound = [], [], -np.inf
        self.converged_ = False
        epoch = 0
        for epoch in range(1, self.max_iter + 1):
            previous, lower_bound = lower_bound, self._epoch(X, weight, rng)
            lower_bounds.append(lower_bound)
            if self.keep_history:
                history.append(_snapshot_with(self, epoch, lower_bound))
            if abs(lower_bound - previous) < self.tol:
                self.converged_ = True
                break
        if not self.converged_ and self.max_iter > 0:
            warnings.warn("Mini-batch EM did not converge; increase max_iter (epochs) or tol.",
                          sklearn_compatible(ConvergenceWarning), stacklevel=2)
        self.n_iter_, self.lower_bound_, self.lower_bounds_ = epoch, lower_bound, lower_bounds
        if self.keep_history:
            self.history_ = history
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit by mini-batch EM (``fit``), then return the most probable component of each point."""
        return self.fit(X, sample_weight=sample_weight).predict(X)

    def _epoch(self, X, weight, rng):
        """One pass of ``partial_fit`` over shuffled X; returns the running lower bound.

        That is the weighted average of the batches' log-likelihoods, each computed by the
        E-step of its own step, so no extra pass over X is needed.
        """
        batch_size = min(self.batch_size, X.shape[0])
        if batch_size < self.n_components and not hasattr(self, "n_steps_"):
            raise ValueError(
                f"batch_size={self.batch_size} is smaller than n_components={self.n_components}, "
                "but the first mini-batch initialises the components and needs at least one "
                "point per component. Use a larger batch_size."
            )
        order = rng.permutation(X.shape[0])
        total, total_weight = 0.0, 0.0
        for start in range(0, X.shape[0], batch_size):
            batch = order[start : start + batch_size]
            if len(batch) >= self.n_components or hasattr(self, "n_steps_"):
                self.partial_fit(X[batch], sample_weight=weight[batch])
                batch_weight = weight[batch].sum()
                total += batch_weight * self.lower_bound_
                total_weight += batch_weight
        return total / total_weight

    def _initialize_online(self, X, weight):
        """Initial parameters from X (as GaussianMixture's), and statistics that reproduce them."""
        inits = self._check_parameters(X)
        self._initialize(X, weight, inits, check_random_state(self.random_state))
        self._start_statistics(X)

    def _check_continuation(self, X):
        """Later batches must fit the model that the earlier ones built."""
        check_n_features(X, self.n_features_in_, estimator=self)
        check_model_unchanged(
            self, "partial_fit continues from the statistics of earlier batches",
            "Set them back, or start a new model.",
        )

    # ------------------------------------------------------------------ sufficient statistics

    def _start_statistics(self, X):
        """Statistics that reproduce the initial parameters, centred on the first batch's mean.

        Centring keeps s2 - s1 s1^T / s0 from cancelling catastrophically for data far from 0.
        """
        self._shift = X.mean(axis=0)
        self.n_features_in_ = X.shape[1]
        self._fitted_covariance_type = self.covariance_type
        self.n_steps_ = 0
        covariances = self._full_covariances()
        means = self.means_ - self._shift
        s0 = self.weights_.copy()
        s1 = s0[:, None] * means
        s2 = s0[:, None, None] * (covariances + np.einsum("ki,kj->kij", means, means))
        self._statistics = [s0, s1, s2]

    @staticmethod
    def _batch_statistics(X_centred, weighted_resp):
        """s0, s1, s2 of one batch; s2 is one (d, N) @ (N, d) product per component."""
        n = X_centred.shape[0]
        s0 = weighted_resp.sum(axis=0) / n
        s1 = weighted_resp.T @ X_centred / n
        s2 = np.stack([(r_k * X_centred.T) @ X_centred for r_k in weighted_resp.T]) / n
        return [s0, s1, s2]

    def _parameters_from_statistics(self):
        """The M-step (eq-m-step-nk)-(eq-m-step-weights) written in the statistics s0, s1, s2."""
        s0, s1, s2 = self._statistics
        s0 = s0 + 10 * np.finfo(float).eps
        means = s1 / s0[:, None]
        full = s2 / s0[:, None, None] - np.einsum("ki,kj->kij", means, means)
        d = means.shape[1]
        if self.covariance_type == "full":
            covariances = full
        elif self.covariance_type == "tied":
            covariances = np.einsum("k,kij->ij", s0 / s0.sum(), full)
        elif self.covariance_type == "diag":
            covariances = np.diagonal(full, axis1=1, axis2=2).copy()
        else:
            covariances = np.diagonal(full, axis1=1, axis2=2).mean(axis=1)
        if covariances.ndim >= 2 and self.covariance_type in ("full", "tied"):
            covariances = covariances + self.reg_covar * np.eye(d)
        else:
            covariances = covariances + self.reg_covar
        self.weights_ = s0 / s0.sum()
        self.means_ = means + self._shift
        self.covariances_ = covariances
        self.precisions_cholesky_ = precision_cholesky(covariances, self.covariance_type)
        self.precisions_ = precisions_from_cholesky(self.precisions_cholesky_, self.covariance_type)

    def _full_covariances(self):
        from .covariances import as_full

        return as_full(self.covariances_, self.covariance_type, self.n_components,
                       self.means_.shape[1])


def _snapshot_with(model, iteration, log_likelihood):
    from .em import EMIteration

    return EMIteration(iteration, model.weights_.copy(), model.means_.copy(),
                       model.covariances_.copy(), log_likelihood)
