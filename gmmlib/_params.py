"""``get_params`` / ``set_params`` / ``repr`` in scikit-learn's style, so that gmmlib
estimators work with ``sklearn.base.clone`` and grid searches."""

import inspect


class ParamsMixin:
    """Constructor arguments are the estimator's parameters, stored unchanged."""

    @classmethod
    def _param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self, deep=True):
        """The constructor arguments as a dict."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Change constructor arguments; returns self."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{name!r} is not a parameter of {type(self).__name__}; valid ones are {valid}."
                )
            setattr(self, name, value)
        return self

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
