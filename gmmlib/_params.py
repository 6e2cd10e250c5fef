"""scikit-learn's estimator conventions without importing scikit-learn.

``get_params`` / ``set_params`` / ``repr`` as in ``sklearn.base.BaseEstimator``, and the
protocol that scikit-learn's tools (``clone``, ``Pipeline``, ``GridSearchCV``,
``cross_val_score``, ``check_is_fitted``) ask of an estimator: ``__sklearn_tags__`` (scikit-learn
>= 1.6; it imports scikit-learn only when scikit-learn itself calls it), ``_estimator_type``
(scikit-learn < 1.6) and ``__sklearn_is_fitted__``.
"""

import inspect


class ParamsMixin:
    """Constructor arguments are the estimator's parameters, stored unchanged.

    Subclasses set ``_estimator_type`` (``"DensityEstimator"`` or ``"clusterer"``, the values
    scikit-learn's ``GaussianMixture`` and ``KMeans`` have) and ``_fitted_attribute``, an
    attribute that exists exactly when the estimator is fitted.
    """

    _estimator_type = None
    _fitted_attribute = None

    @classmethod
    def _param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self, deep=True):
        """The constructor arguments as a dict (``deep`` is accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Change constructor arguments; returns self."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}: "
                    f"{name!r} is not a parameter of {type(self).__name__}; "
                    f"valid ones are {valid}."
                )
            setattr(self, name, value)
        return self

    def __sklearn_is_fitted__(self):
        """True once ``fit`` has succeeded (read by ``sklearn.utils.validation.check_is_fitted``)."""
        return hasattr(self, self._fitted_attribute)

    def __sklearn_tags__(self):
        """scikit-learn's tags: the estimator type, unsupervised, dense 2-D finite input.

        Called by scikit-learn >= 1.6 only, so importing it here adds no dependency.
        """
        from sklearn.utils import Tags, TargetTags

        tag_values = {"DensityEstimator": "density_estimator", "clusterer": "clusterer"}
        return Tags(
            estimator_type=tag_values[self._estimator_type],
            target_tags=TargetTags(required=False),
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=None,
        )

    def __repr__(self):
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if not _same(value, defaults[name].default)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


def _same(value, default):
    try:
        return bool(value == default)
    except (ValueError, TypeError):  # arrays compare element-wise
        return False
