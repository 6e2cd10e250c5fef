"""Small data sets for the book, the tests and the assignments.  Nothing is downloaded.

* ``seven_point_example``  the worked example of Deisenroth, Faisal & Ong (2020), section 11.2
* ``sample_mixture``       draw points (and their components) from given mixture parameters
* ``three_blobs``          a 2-D, three-component teaching data set with correlated clusters
* ``load_wine_data``, ``load_iris_data``  real data shipped inside scikit-learn
* ``load_image``           a colour photograph shipped inside scikit-learn or matplotlib
"""

from dataclasses import dataclass

import numpy as np

from ._validation import check_positive_int, check_random_state, check_weights


@dataclass(frozen=True)
class SevenPointExample:
    """Data and initial parameters of the seven-point example (variances, not std devs)."""

    X: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray


def seven_point_example():
    """x = -3, -2.5, -1, 0, 2, 4, 5 and the start N(-4, 1), N(0, 0.2), N(8, 3), weights 1/3."""
    return SevenPointExample(
        X=np.array([-3.0, -2.5, -1.0, 0.0, 2.0, 4.0, 5.0]),
        weights=np.full(3, 1 / 3),
        means=np.array([-4.0, 0.0, 8.0]),
        variances=np.array([1.0, 0.2, 3.0]),
    )


def sample_mixture(n_samples, weights, means, covariances, random_state=None):
    """Ancestral sampling (chapter 1): draw a component from ``weights``, then its Gaussian.

    ``means`` (K, d) and ``covariances`` (K, d, d); or, for 1-D, (K,) means and (K,) variances.

    Returns
    -------
    X : ndarray (n_samples, d), or (n_samples,) for 1-D parameters
    labels : ndarray (n_samples,), the component of each point
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    rng = check_random_state(random_state)
    means = np.asarray(means, dtype=float)
    weights = check_weights(weights, len(means))
    covariances = np.asarray(covariances, dtype=float)
    one_dimensional = means.ndim == 1
    if one_dimensional:
        means, covariances = means[:, None], covariances[:, None, None]
    labels = rng.choice(len(weights), size=n_samples, p=weights)
    factors = np.linalg.cholesky(covariances)
    noise = rng.standard_normal((n_samples, means.shape[1]))
    X = means[labels] + np.einsum("nij,nj->ni", factors[labels], noise)
    return (X[:, 0] if one_dimensional else X), labels


def three_blobs(n_samples=300, random_state=0):
    """A 2-D teaching data set: three clusters of different sizes, shapes and orientations."""
    weights = np.array([0.45, 0.35, 0.20])
    means = np.array([[0.0, 0.0], [4.0, 3.0], [-1.0, 5.0]])
    covariances = np.array([
        [[1.6, 0.9], [0.9, 1.0]],
        [[0.6, -0.3], [-0.3, 1.2]],
        [[0.4, 0.0], [0.0, 0.4]],
    ])
    return sample_mixture(n_samples, weights, means, covariances, random_state)


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(
            "This data set ships with scikit-learn: pip install scikit-learn, "
            "or pip install 'gmmlib[notebooks]' for everything the book's chapters use."
        ) from None
    return datasets


def load_wine_data():
    """The wine recognition data: 178 wines, 13 chemical measurements, 3 cultivars.

    Returns ``(X, y, feature_names)``.
    """
    wine = _sklearn_datasets().load_wine()
    return wine.data, wine.target, list(wine.feature_names)


def load_iris_data():
    """Fisher's iris data: 150 flowers, 4 measurements, 3 species.  Returns ``(X, y, feature_names)``."""
    iris = _sklearn_datasets().load_iris()
    return iris.data, iris.target, list(iris.feature_names)


def load_image(name="china.jpg", max_side=None):
    """A colour photograph as an (H, W, 3) float array in [0, 1].

    ``'china.jpg'`` and ``'flower.jpg'`` ship with scikit-learn, ``'grace_hopper.jpg'`` with
    matplotlib.  ``max_side`` shrinks the image (by striding) so its longer side is at most
    that many pixels, which keeps the examples fast.
    """
    if name == "grace_hopper.jpg":
        import matplotlib.cbook
        import matplotlib.image

        with matplotlib.cbook.get_sample_data(name) as file:
            image = matplotlib.image.imread(file, format="jpg")
    else:
        image = _sklearn_datasets().load_sample_image(name)
    image = np.asarray(image, dtype=float)
    if image.max() > 1.0:
        image = image / 255.0
    if max_side is not None:
        step = int(np.ceil(max(image.shape[:2]) / check_positive_int(max_side, "max_side")))
        image = image[::step, ::step]
    return image[..., :3]
