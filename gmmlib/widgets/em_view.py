"""The picture of one EM iteration, shared by the live explorer and the static animation.

Left: 2-D data coloured by responsibilities with 1- and 2-sd ellipses, or the 1-D mixture
density with its weighted components and a coloured rug.  Right: the log-likelihood trace
with the current iteration marked.  ``draw(j)`` only moves existing artists.
"""

import numpy as np

from ..densities import gaussian_logpdf
from ..plotting import plot_gmm_2d, plot_log_likelihood, plot_mixture_1d
from ._drawing import _blend, _data_limits, _ellipse_geometry, _format_means, _View


def _weighted_components_1d(x, weights, means, variances):
    """``pi_k N(x | mu_k, sigma_k^2)`` on a grid, shape (K, len(x)): the terms of
    (eq-mixture-density), each by ``gmmlib.gaussian_logpdf``."""
    return np.array([weight * np.exp(gaussian_logpdf(x, mean, variance))
                     for weight, mean, variance in zip(weights, means, variances)])


class _EMView(_View):
    """One matplotlib figure of an EM run; ``draw(j)`` moves its artists to history[frames[j]]."""

    def __init__(self, history, dpi, figsize, frames=None):
        self.history = history
        self.frames = np.arange(len(history)) if frames is None else np.asarray(frames)
        self._make_figure(dpi, figsize)
        first = self.frames[0]
        if history.X.shape[1] == 2:
            self._build_2d(first)
        else:
            self._build_1d(first)
        self._build_trace(first)
        self.draw(0)

    # -- building, with the book's plotting functions so colours and styles match its figures

    def _build_2d(self, index):
        h, ax, X = self.history, self.ax_data, self.history.X
        plot_gmm_2d(ax, X, h.weights[index], h.means[index], h.covariances[index],
                    resp=h.responsibilities(index), n_std=(1, 2),
                    point_size=14 if X.shape[0] <= 500 else 6)
        n_components = h.n_components
        self.artists["points"] = ax.collections[0]
        self.artists["ellipses"] = [ax.patches[2 * k : 2 * k + 2] for k in range(n_components)]
        self.artists["means"] = list(ax.lines[:n_components])
        self.dynamic += [self.artists["points"]]
        self.dynamic += [ellipse for pair in self.artists["ellipses"] for ellipse in pair]
        self.dynamic += self.artists["means"]
        ax.set_xlim(*_data_limits(X[:, 0]))
        ax.set_ylim(*_data_limits(X[:, 1]))
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")

    def _build_1d(self, index):
        h, ax = self.history, self.ax_data
        x_data = h.X[:, 0]
        self.grid = np.linspace(*_data_limits(x_data, margin=0.12), 400)
        plot_mixture_1d(ax, h.weights[index], h.means[index][:, 0],
                        h.covariances[index][:, 0, 0], x=self.grid)
        n_components = h.n_components
        self.artists["components"] = list(ax.lines[:n_components])
        self.artists["density"] = ax.lines[n_components]
        peaks = np.array([
            _weighted_components_1d(self.grid, h.weights[i], h.means[i][:, 0],
                                    h.covariances[i][:, 0, 0]).sum(axis=0).max()
            for i in self.frames
        ])
        top = 1.15 * min(peaks.max(), 3.0 * peaks[-1])
        self.rug_y = -0.06 * top
        self.artists["rug"] = ax.scatter(x_data, np.full_like(x_data, self.rug_y), marker="|",
                                         s=120, linewidths=1.2,
                                         c=_blend(h.responsibilities(index)))
        # the dashed components on top of the mixture: where a component makes the whole
        # density (well separated), the black curve shows its colour
        for line in self.artists["components"]:
            line.set_zorder(2.5)
        self.dynamic += [self.artists["density"], *self.artists["components"], self.artists["rug"]]
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(2 * self.rug_y, top)
        from matplotlib.lines import Line2D

        ax.legend(handles=[self.artists["density"],
                           Line2D([], [], ls="--", color="0.4", lw=1.5)],
                  labels=["mixture density", r"$\pi_k\,\mathcal{N}(x\mid\mu_k,\sigma_k^2)$"],
                  loc="upper right", fontsize="small", frameon=False)

    def _build_trace(self, index):
        from matplotlib.ticker import MaxNLocator

        h, ax = self.history, self.ax_trace
        plot_log_likelihood(ax, h.log_likelihoods, current=index)
        self.artists["trace"] = ax.lines[0]
        self.artists["marker"] = ax.lines[1]
        ax.set_ylabel(h.label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "0.5" iteration on short runs
        ax.yaxis.get_major_formatter().set_useOffset(False)
        values = h.log_likelihoods
        if len(values) > 2:
            # A start far below the rest (e.g. 'random_from_data': tiny initial covariances)
            # would flatten the whole trace; clip it and say where it is.
            rest_low, rest_high = values[1:].min(), values[1:].max()
            spread = max(rest_high - rest_low, 1e-12 * max(1.0, abs(rest_high)))
            if values[0] < rest_low - 5 * spread:
                ax.set_ylim(rest_low - 0.15 * spread, rest_high + 0.1 * spread)
                ax.text(0.97, 0.04, f"start: {values[0]:.2g} (off scale)", fontsize="x-small",
                        color="0.35", ha="right", transform=ax.transAxes)
        self.dynamic += [self.artists["marker"], self.artists["title"]]

    # -- what a frame says: the title on the picture, and its alt text

    def title(self, position):
        """The one-line title of frame ``position``: iteration, model and log-likelihood."""
        h = self.history
        index = int(self.frames[position])
        return (f"EM iteration {int(h.iterations[index])} of {int(h.iterations[-1])}   "
                f"(K = {h.n_components}, {h.covariance_type})   "
                f"{h.label} {h.log_likelihoods[index]:.4f}")

    def describe(self, position):
        """Alt text of frame ``position``: what the picture shows, in words."""
        h = self.history
        index = int(self.frames[position])
        what = ("points coloured by their responsibilities, with each component's 1- and "
                "2-standard-deviation ellipses" if h.X.shape[1] == 2 else
                "the mixture density, its weighted components and the data coloured by "
                "their responsibilities")
        return (f"EM iteration {int(h.iterations[index])} of {int(h.iterations[-1])}: "
                f"{h.n_components} {h.covariance_type}-covariance components, {h.label} "
                f"{h.log_likelihoods[index]:.4f}, means at "
                f"{_format_means(h.means[index])}. Left: {what}. Right: the {h.label} "
                "against the EM iteration, this iteration marked.")

    # -- updating: set data on the existing artists, never re-create the figure

    def draw(self, position):
        """Show history[self.frames[position]]; returns the changed artists."""
        h = self.history
        index = int(self.frames[position])
        weights, means, covariances = h.weights[index], h.means[index], h.covariances[index]
        colors = _blend(h.responsibilities(index))
        changed = []
        if h.X.shape[1] == 2:
            self.artists["points"].set_facecolor(colors)
            changed.append(self.artists["points"])
            for n_std in (1, 2):
                width, height, angle = _ellipse_geometry(covariances, n_std)
                for k in range(h.n_components):
                    ellipse = self.artists["ellipses"][k][n_std - 1]
                    ellipse.set_center(means[k])
                    ellipse.set_width(width[k])
                    ellipse.set_height(height[k])
                    ellipse.set_angle(angle[k])
                    ellipse.set_linewidth(1 + 4 * weights[k])
                    changed.append(ellipse)
            for k, line in enumerate(self.artists["means"]):
                line.set_data([means[k, 0]], [means[k, 1]])
                changed.append(line)
        else:
            parts = _weighted_components_1d(self.grid, weights, means[:, 0], covariances[:, 0, 0])
            for line, part in zip(self.artists["components"], parts):
                line.set_ydata(part)
                changed.append(line)
            self.artists["density"].set_ydata(parts.sum(axis=0))
            self.artists["rug"].set_color(colors)
            changed += [self.artists["density"], self.artists["rug"]]
        self.artists["marker"].set_data([index], [h.log_likelihoods[index]])
        self.artists["title"].set_text(self.title(position))
        changed += [self.artists["marker"], self.artists["title"]]
        self.current = index
        return changed
