"""gmmlib: Gaussian mixture models and the EM algorithm, written to be read.

Teaching primitives, one equation each (chapters 1-5):
    gaussian_logpdf, mixture_logpdf, log_likelihood, responsibilities, m_step, em,
    expected_complete_log_likelihood, elbo, kl_to_posterior
Estimators with scikit-learn's API (chapters 4-10):
    GaussianMixture, MiniBatchGaussianMixture, KMeans, kmeans_plusplus
The k-means limit (chapter 6):
    fixed_variance_em, FixedVarianceEM
Submodules:
    gmmlib.model_selection  BIC, AIC, held-out and cross-validated likelihood (chapter 8)
    gmmlib.datasets         the book's data sets, nothing downloaded
    gmmlib.covariances      the four covariance types
    gmmlib.plotting, gmmlib.widgets   figures and explorers (need gmmlib[widgets])
"""

from . import covariances, datasets, model_selection
from .bound import elbo, expected_complete_log_likelihood, kl_to_posterior
from .densities import gaussian_logpdf
from .em import (
    EMIteration,
    EMResult,
    em,
    log_likelihood,
    m_step,
    mixture_logpdf,
    responsibilities,
)
from .exceptions import ConvergenceWarning, NotFittedError
from .kmeans import KMeans, kmeans_plusplus
from .kmeans_limit import FixedVarianceEM, fixed_variance_em
from .mixture import GaussianMixture
from .online import MiniBatchGaussianMixture

__version__ = "0.2.0"

__all__ = [
    "ConvergenceWarning",
    "EMIteration",
    "EMResult",
    "FixedVarianceEM",
    "GaussianMixture",
    "KMeans",
    "MiniBatchGaussianMixture",
    "NotFittedError",
    "covariances",
    "datasets",
    "elbo",
    "em",
    "expected_complete_log_likelihood",
    "fixed_variance_em",
    "gaussian_logpdf",
    "kl_to_posterior",
    "kmeans_plusplus",
    "log_likelihood",
    "m_step",
    "mixture_logpdf",
    "model_selection",
    "responsibilities",
]
