"""Warnings and errors raised by gmmlib, catchable as scikit-learn's own.

scikit-learn is optional, so these classes cannot subclass ``sklearn.exceptions`` at import
time.  Instead gmmlib raises them through :func:`sklearn_compatible`: when scikit-learn's
exceptions module is loaded (and anyone who writes ``except sklearn.exceptions.NotFittedError``
or ``pytest.warns(sklearn.exceptions.ConvergenceWarning)`` has loaded it), the class raised is
a subclass of both gmmlib's class and scikit-learn's, so either ``except`` clause catches it and
warning filters on either class apply.  Without scikit-learn, gmmlib's plain classes are used.
"""

import functools
import sys


class ConvergenceWarning(UserWarning):
    """EM stopped at ``max_iter`` before the lower bound changed by less than ``tol``.

    The same meaning as ``sklearn.exceptions.ConvergenceWarning``: the fitted
    model is usable but may not be at a stationary point of the likelihood.
    """


class NotFittedError(ValueError, AttributeError):
    """A method that needs fitted parameters was called before ``fit``.

    A ``ValueError`` and an ``AttributeError``, like ``sklearn.exceptions.NotFittedError``.
    """

    def __reduce__(self):
        # The class raised may be a subclass made at run time (see sklearn_compatible);
        # pickle it as gmmlib's class, which every process can import.
        return (NotFittedError, self.args)


def sklearn_compatible(gmmlib_class):
    """``gmmlib_class``, or a subclass of it and of scikit-learn's class of the same name.

    Parameters
    ----------
    gmmlib_class : type
        ``NotFittedError`` or ``ConvergenceWarning`` from this module.

    Returns
    -------
    type
        The class to raise or warn with.  The subclass is made once and reused, so warning
        filters and the "once" registry see one class.
    """
    sklearn_exceptions = sys.modules.get("sklearn.exceptions")
    if sklearn_exceptions is None:
        return gmmlib_class
    return _bridge(gmmlib_class, getattr(sklearn_exceptions, gmmlib_class.__name__))


@functools.cache
def _bridge(gmmlib_class, sklearn_class):
    return type(
        gmmlib_class.__name__,
        (gmmlib_class, sklearn_class),
        {"__module__": gmmlib_class.__module__, "__doc__": gmmlib_class.__doc__},
    )
