"""Figures of mixtures, in matplotlib's style: each function takes an Axes and returns it.

Needs matplotlib (``pip install gmmlib[widgets]``).  Parameters are plain arrays, so the
same functions draw the truth, an EM iterate from ``history_``, or a fitted model:

* ``plot_mixture_1d``     a 1-D mixture density with its weighted components (chapter 1)
* ``plot_gmm_2d``         2-D points coloured by responsibilities, covariance ellipses, means
* ``covariance_ellipse``  the n-standard-deviation ellipse of one 2-D Gaussian
* ``plot_log_likelihood`` the log-likelihood trace over EM iterations
"""

import numpy as np

from ._validation import check_data
from .densities import gaussian_logpdf

# One colour per component, colour-blind safe (Okabe & Ito, with wine in place of their
# black, which is reserved for the mixture density), cycled beyond eight.
COMPONENT_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7",
                    "#E69F00", "#56B4E9", "#F0E442", "#882255")


def component_color(k):
    """The colour used for component ``k`` in every figure of the book."""
    return COMPONENT_COLORS[k % len(COMPONENT_COLORS)]


def plot_mixture_1d(ax, weights, means, variances, *, x=None, data=None, components=True,
                    total=True, fill=False, label="mixture"):
    """Draw ``p(x) = sum_k pi_k N(x | mu_k, sigma_k^2)`` (eq-mixture-density) and its parts.

    Parameters
    ----------
    ax : matplotlib Axes
    weights, means, variances : array-like (K,)
    x : array-like, optional
        Where to evaluate; by default a grid covering every component's +-4 sigma and the data.
    data : array-like (N,), optional
        Drawn as a rug of ticks along the x-axis.
    components : bool
        Draw each weighted component ``pi_k N(x | mu_k, sigma_k^2)`` dashed, in its colour.
    total : bool
        Draw the mixture density as a solid black line.
    """
    weights = np.asarray(weights, dtype=float).reshape(-1)
    means = np.asarray(means, dtype=float).reshape(-1)
    variances = np.asarray(variances, dtype=float).reshape(-1)
    if x is None:
        x = _grid_1d(means, variances, data)
    x = np.asarray(x, dtype=float)
    parts = np.array([
        w * np.exp(gaussian_logpdf(x, m, v)) for w, m, v in zip(weights, means, variances)
    ])
    if components:
        for k, part in enumerate(parts):
            ax.plot(x, part, "--", color=component_color(k), lw=1.5,
                    label=rf"$\pi_{k + 1}\,\mathcal{{N}}(x\mid\mu_{k + 1},\sigma_{k + 1}^2)$")
            if fill:
                ax.fill_between(x, part, color=component_color(k), alpha=0.15)
    if total:
        ax.plot(x, parts.sum(axis=0), color="black", lw=2, label=label)
    if data is not None:
        data = np.asarray(data, dtype=float).reshape(-1)
        ax.plot(data, np.zeros_like(data), "|", color="0.3", ms=12, mew=1.5, label="data")
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    return ax


def _grid_1d(means, variances, data, n_points=600):
    spread = 4 * np.sqrt(variances)
    low, high = np.min(means - spread), np.max(means + spread)
    if data is not None:
        data = np.asarray(data, dtype=float)
        low, high = min(low, data.min() - 1), max(high, data.max() + 1)
    return np.linspace(low, high, n_points)


def covariance_ellipse(ax, mean, cov, n_std=1.0, **kwargs):
    """Add the ellipse ``(x - mu)^T Sigma^{-1} (x - mu) = n_std^2`` of a 2-D Gaussian.

    Its axes point along the eigenvectors of ``cov`` with half-lengths
    ``n_std * sqrt(eigenvalue)`` (chapter 1's covariance geometry).  Returns the patch.
    """
    from matplotlib.patches import Ellipse

    eigenvalues, eigenvectors = np.linalg.eigh(np.asarray(cov, dtype=float))
    eigenvalues = np.clip(eigenvalues, 0, None)
    angle = np.degrees(np.arctan2(eigenvectors[1, -1], eigenvectors[0, -1]))
    width, height = 2 * n_std * np.sqrt(eigenvalues[::-1])
    kwargs.setdefault("fill", False)
    patch = Ellipse(xy=np.asarray(mean, dtype=float), width=width, height=height,
                    angle=angle, **kwargs)
    ax.add_patch(patch)
    return patch


def plot_gmm_2d(ax, X, weights, means, covariances, *, resp=None, n_std=(1, 2),
                point_size=12, show_means=True, aspect="equal", adjustable="datalim"):
    """Scatter 2-D data and draw each component's 1- and 2-standard-deviation ellipses.

    Points are coloured by their responsibilities (a blend of the component colours,
    so a point shared between two components shows a mixed colour); without ``resp``
    they are grey.  Ellipse line width grows with the component's weight.

    Parameters
    ----------
    covariances : array-like (K, 2, 2)
        Full covariance matrices (``gmmlib.covariances.as_full`` converts other types).
    aspect : 'equal', 'auto', a number or None, default 'equal'
        Passed to ``ax.set_aspect``.  ``'equal'`` draws one unit the same length on both axes,
        so a circular Gaussian looks round and the ellipses show the true covariance geometry;
        None leaves the Axes' aspect as it is (for instance one set up by the caller).
    adjustable : {'datalim', 'box'}, default 'datalim'
        How matplotlib achieves the aspect: ``'datalim'`` widens the data limits and keeps the
        Axes box (the figure's layout stays put, the book's default); ``'box'`` keeps the
        limits and shrinks the box, which works with axes that share limits (``sharex``).
    """
    X = check_data(X)
    means = np.asarray(means, dtype=float)
    covariances = np.asarray(covariances, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if resp is None:
        colors = "0.55"
    else:
        palette = np.array([_rgb(component_color(k)) for k in range(len(means))])
        colors = np.clip(np.asarray(resp) @ palette, 0, 1)
    ax.scatter(X[:, 0], X[:, 1], s=point_size, c=colors, alpha=0.8, linewidths=0)
    for k, (mean, cov) in enumerate(zip(means, covariances)):
        for n in np.atleast_1d(n_std):
            covariance_ellipse(ax, mean, cov, n_std=n, edgecolor=component_color(k),
                               lw=1 + 4 * weights[k], alpha=1.0 if n == 1 else 0.5)
        if show_means:
            ax.plot(*mean, marker="X", ms=11, color=component_color(k), mec="white", mew=1.5)
    if aspect is not None:
        ax.set_aspect(aspect, adjustable=adjustable)
    return ax


def _rgb(hex_color):
    return np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def plot_log_likelihood(ax, values, *, current=None, label="log-likelihood"):
    """Plot a log-likelihood trace against the EM iteration.

    ``values`` is a sequence of numbers, or of ``EMIteration`` (``history_`` / ``em(...).history``).
    ``current`` marks one iteration with a dot (used by the explorers).
    """
    values = [getattr(v, "log_likelihood", v) for v in values]
    iterations = np.arange(len(values))
    ax.plot(iterations, values, "-o", color="black", ms=3, lw=1.5, label=label)
    if current is not None:
        ax.plot(iterations[current], values[current], "o", color=component_color(1), ms=9)
    ax.set_xlabel("EM iteration")
    ax.set_ylabel("log-likelihood")
    return ax
