"""Warnings and errors raised by gmmlib."""


class ConvergenceWarning(UserWarning):
    """EM stopped at ``max_iter`` before the lower bound changed by less than ``tol``.

    The same meaning as ``sklearn.exceptions.ConvergenceWarning``: the fitted
    model is usable but may not be at a stationary point of the likelihood.
    """


class NotFittedError(ValueError, AttributeError):
    """A method that needs fitted parameters was called before ``fit``."""
