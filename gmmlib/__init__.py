"""gmmlib: Gaussian mixture models and the EM algorithm, written to be read.

Teaching primitives, one equation each (chapters 1-4):
    gaussian_logpdf, responsibilities, log_likelihood, m_step, em
The estimator, with scikit-learn's API (chapters 4-9):
    GaussianMixture, KMeans, kmeans_plusplus
"""

from .densities import gaussian_logpdf
from .em import EMIteration, EMResult, em, log_likelihood, m_step, responsibilities
from .exceptions import ConvergenceWarning, NotFittedError
from .kmeans import KMeans, kmeans_plusplus
from .mixture import GaussianMixture

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "EMIteration",
    "EMResult",
    "GaussianMixture",
    "KMeans",
    "NotFittedError",
    "em",
    "gaussian_logpdf",
    "kmeans_plusplus",
    "log_likelihood",
    "m_step",
    "responsibilities",
]
