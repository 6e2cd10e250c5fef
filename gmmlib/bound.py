"""The evidence lower bound and why EM climbs (chapter 5).

For any distribution ``q`` over the components of each point (an (N, K) matrix whose rows
sum to 1) and parameters theta:

* ``expected_complete_log_likelihood``  Q = sum_nk q_nk [log pi_k + log N(x_n | mu_k, Sigma_k)]
* ``elbo``                              L(q, theta) = Q + H(q)                       (eq-elbo)
* ``kl_to_posterior``                   sum_n KL(q_n || p(z_n | x_n, theta))
* and the identity  log p(X | theta) = L(q, theta) + KL                        (eq-kl-decomposition)

The E-step sets q to the responsibilities, making KL = 0 and the bound tight; the M-step
maximises Q, hence L, over theta.
"""

import numpy as np
from scipy.special import logsumexp, xlogy

from .em import _check_mixture, _check_responsibilities, _weighted_log_densities


def _check_q(X, q, weights, means, covariances):
    X, weights, means, covariances, _ = _check_mixture(X, weights, means, covariances)
    q = _check_responsibilities(q, X.shape[0])
    if q.shape[1] != len(weights):
        raise ValueError(
            f"q has {q.shape[1]} columns but the mixture has {len(weights)} components; "
            "q needs one column per component."
        )
    return X, q, weights, means, covariances


def expected_complete_log_likelihood(X, q, weights, means, covariances):
    """``E_q[log p(X, Z | theta)]``: (eq-complete-data-log-likelihood) with z_nk replaced by q_nk.

    Terms with q_nk = 0 contribute 0, even where the component density underflows.
    """
    X, q, weights, means, covariances = _check_q(X, q, weights, means, covariances)
    weighted = _weighted_log_densities(X, weights, means, covariances)
    return float(np.sum(q * np.where(q > 0, weighted, 0.0)))  # avoids 0 * (-inf)


def entropy(q):
    """``H(q) = -sum_nk q_nk log q_nk`` (with 0 log 0 = 0), in nats."""
    return float(-np.sum(xlogy(q, q)))


def elbo(X, q, weights, means, covariances):
    """The evidence lower bound ``L(q, theta) = E_q[log p(X, Z | theta)] + H(q)`` (eq-elbo).

    It never exceeds the log-likelihood and equals it when q is the posterior.
    """
    X, q, weights, means, covariances = _check_q(X, q, weights, means, covariances)
    return expected_complete_log_likelihood(X, q, weights, means, covariances) + entropy(q)


def kl_to_posterior(X, q, weights, means, covariances):
    """``sum_n KL(q_n || p(z_n | x_n, theta)) >= 0``, the gap in (eq-kl-decomposition)."""
    X, q, weights, means, covariances = _check_q(X, q, weights, means, covariances)
    weighted = _weighted_log_densities(X, weights, means, covariances)
    log_posterior = weighted - logsumexp(weighted, axis=1, keepdims=True)  # no underflow
    return float(-entropy(q) - np.sum(q * np.where(q > 0, log_posterior, 0.0)))
