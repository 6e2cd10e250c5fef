"""The k-means-limit explorer (chapter 6): soft assignments turning hard as sigma^2 -> 0.

The algorithm is ``gmmlib.fixed_variance_em``; this module only draws its results.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy.special import entr

from .._validation import check_positive_int
from ..em import responsibilities
from ..kmeans_limit import check_sigma2_values, check_start_means, fixed_variance_em
from ..plotting import component_color
from ._display import _Explorer
from ._drawing import (
    ANIMATION_DPI,
    ANIMATION_FIGSIZE,
    WIDGET_DPI,
    WIDGET_FIGSIZE,
    _blend,
    _check_plot_data,
    _data_limits,
    _format_means,
    _ipywidgets,
    _matplotlib,
    _View,
)
from .animation import _animation, _frame_indices


def _default_sigma2_values(X, means, n_values=30):
    """From well above the squared spacing of the means down to 1/1000 of it, log-spaced."""
    if len(means) > 1:
        gaps = ((means[:, np.newaxis, :] - means[np.newaxis, :, :]) ** 2).sum(axis=2)
        gaps = gaps[gaps > 0]
        scale = float(np.median(gaps)) / 4 if gaps.size else float(X.var(axis=0).mean())
    else:
        scale = float(X.var(axis=0).mean())
    scale = scale if scale > 0 else 1.0
    return np.geomspace(4.0 * scale, 1e-3 * scale, n_values)


@dataclass(frozen=True)
class KMeansLimitFrame:
    """What the k-means-limit explorer draws for one sigma^2.

    Attributes
    ----------
    index : int
        Position in ``sigma2_values`` (the slider's index).
    sigma2 : float
    weights : ndarray (K,)
    means : ndarray (K, d)
    responsibilities : ndarray (N, K)
    entropy : ndarray (N,)
        Each point's responsibility entropy in nats: log K when undecided, 0 when hard.
    """

    index: int
    sigma2: float
    weights: np.ndarray
    means: np.ndarray
    responsibilities: np.ndarray
    entropy: np.ndarray


class _KMeansLimitView(_View):
    """The figure of the k-means limit; ``draw(j)`` shows sigma2_values[frames[j]]."""

    def __init__(self, X, fit, dpi, figsize, frames=None):
        self.X, self.fit = X, fit
        self.frames = np.arange(len(fit.sigma2)) if frames is None else np.asarray(frames)
        self.entropy = entr(fit.responsibilities).sum(axis=2)  # (S, N)
        self._make_figure(dpi, figsize)
        colors = _blend(fit.responsibilities[self.frames[0]])
        if X.shape[1] == 2:
            self._build_2d(colors)
        else:
            self._build_1d(colors)
        self._build_trace()
        self.draw(0)

    def _build_2d(self, colors):
        _, _, _, Ellipse = _matplotlib()
        X, ax = self.X, self.ax_data
        self.artists["points"] = ax.scatter(X[:, 0], X[:, 1], s=14 if len(X) <= 500 else 6,
                                            c=colors, alpha=0.85, linewidths=0)
        self.artists["circles"] = []
        for k in range(self.fit.means.shape[1]):
            pair = []
            for n_std in (1, 2):
                circle = Ellipse((0, 0), 1, 1, fill=False, edgecolor=component_color(k),
                                 lw=1.5, alpha=1.0 if n_std == 1 else 0.5)
                ax.add_patch(circle)
                pair.append(circle)
            self.artists["circles"].append(pair)
        self.artists["means"] = [
            ax.plot([], [], marker="X", ms=11, color=component_color(k), mec="white",
                    mew=1.5, ls="none")[0] for k in range(self.fit.means.shape[1])]
        ax.set_xlim(*_data_limits(X[:, 0]))
        ax.set_ylim(*_data_limits(X[:, 1]))
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        self.dynamic += [self.artists["points"]]
        self.dynamic += [circle for pair in self.artists["circles"] for circle in pair]
        self.dynamic += self.artists["means"]

    def _build_1d(self, colors):
        X, ax = self.X, self.ax_data
        n_components = self.fit.means.shape[1]
        self.grid = np.linspace(*_data_limits(X[:, 0], margin=0.12), 400)
        self.artists["curves"] = [
            ax.plot(self.grid, np.zeros_like(self.grid), color=component_color(k), lw=2,
                    label=rf"$r_{{{k + 1}}}(x)$")[0] for k in range(n_components)]
        self.artists["means"] = [
            ax.axvline(0.0, color=component_color(k), ls=":", lw=1.5)
            for k in range(n_components)]
        self.artists["rug"] = ax.scatter(X[:, 0], np.full(len(X), -0.08), marker="|", s=120,
                                         linewidths=1.2, c=colors)
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(-0.16, 1.08)
        ax.set_xlabel("$x$")
        ax.set_ylabel("responsibility")
        self.dynamic += self.artists["curves"] + [self.artists["rug"]] + self.artists["means"]

    def _build_trace(self):
        fit, trace = self.fit, self.ax_trace
        n_components = fit.means.shape[1]
        self.artists["trace"] = trace.plot(fit.sigma2, self.entropy.mean(axis=1), "-o",
                                           color="black", ms=3, lw=1.5)[0]
        trace.axhline(np.log(n_components), color="0.6", ls="--", lw=1)
        self.artists["marker"] = trace.plot([], [], "o", color=component_color(1), ms=9)[0]
        trace.set_xscale("log")
        if fit.sigma2[0] > fit.sigma2[-1]:
            trace.invert_xaxis()
        trace.set_xlabel(r"shared variance $\sigma^2$")
        trace.set_ylabel("mean entropy of $r_n$ (nats)")
        top = max(np.log(n_components), 0.1)  # log K: the entropy of a uniform row
        trace.set_ylim(-0.05 * top, 1.08 * top)
        self.dynamic += [self.artists["marker"], self.artists["title"]]

    def title(self, position):
        """The one-line title of frame ``position``."""
        index = int(self.frames[position])
        resp = self.fit.responsibilities[index]
        return (f"σ² = {self.fit.sigma2[index]:.3g}   mean max responsibility "
                f"{resp.max(axis=1).mean():.3f}   mean entropy {self.entropy[index].mean():.3f} "
                "nats")

    def describe(self, position):
        """Alt text of frame ``position``: what the picture shows, in words."""
        index = int(self.frames[position])
        what = ("points coloured by their responsibilities, with circles of radius sigma "
                "and 2 sigma around each mean" if self.X.shape[1] == 2 else
                "each component's responsibility r_k(x) along x, and the data coloured by "
                "their responsibilities")
        return (f"Shared variance sigma squared = {self.fit.sigma2[index]:.3g} (value "
                f"{index + 1} of {len(self.fit.sigma2)}, from large to small): "
                f"{self.title(position).split('   ', 1)[1]}; means at "
                f"{_format_means(self.fit.means[index])}. Left: {what}. Right: the mean "
                "responsibility entropy against sigma squared, this value marked.")

    def draw(self, position):
        fit = self.fit
        index = int(self.frames[position])
        sigma2, means = fit.sigma2[index], fit.means[index]
        colors = _blend(fit.responsibilities[index])
        changed = []
        if self.X.shape[1] == 2:
            self.artists["points"].set_facecolor(colors)
            changed.append(self.artists["points"])
            for k in range(means.shape[0]):
                for n_std, circle in zip((1, 2), self.artists["circles"][k]):
                    circle.set_center(means[k])
                    circle.set_width(2 * n_std * np.sqrt(sigma2))
                    circle.set_height(2 * n_std * np.sqrt(sigma2))
                    changed.append(circle)
                self.artists["means"][k].set_data([means[k, 0]], [means[k, 1]])
                changed.append(self.artists["means"][k])
        else:
            # r_k(x) along the grid: the library's E-step with variances sigma^2
            curves = responsibilities(self.grid, fit.weights[index], means[:, 0],
                                      np.full(len(means), sigma2))
            for k, line in enumerate(self.artists["curves"]):
                line.set_ydata(curves[:, k])
                self.artists["means"][k].set_xdata([means[k, 0], means[k, 0]])
                changed += [line, self.artists["means"][k]]
            self.artists["rug"].set_color(colors)
            changed.append(self.artists["rug"])
        self.artists["marker"].set_data([sigma2], [self.entropy[index].mean()])
        self.artists["title"].set_text(self.title(position))
        changed += [self.artists["marker"], self.artists["title"]]
        self.current = index
        return changed


class KMeansLimitExplorer(_Explorer):
    """Soft assignments turning hard: EM with a shared, fixed variance sigma^2 -> 0 (chapter 6).

    For each sigma^2 in ``sigma2_values``, ``gmmlib.fixed_variance_em`` runs EM with every
    covariance fixed at sigma^2 I from the given starting means; the slider (log scale,
    from the largest sigma^2 to the smallest, so Play shows the limit) picks which
    result is drawn: points coloured by responsibilities with sigma and 2 sigma circles
    (2-D), or the responsibility curves r_k(x) and a coloured rug (1-D); beside it, the
    mean responsibility entropy against sigma^2.  Everything is computed once, so the
    slider only redraws.  In the static book the same output is an animation sweeping
    sigma^2 downwards (and, printed, a strip of four frames).

    Parameters
    ----------
    X : array-like (N, 2), (N, 1) or (N,)
    means : array-like (K, d) (or (K,) for 1-D data), or int
        Starting means; an int K picks K data points by k-means++ (``random_state``).
    sigma2_values : array-like of positive floats, optional
        Default: 30 values, log-spaced from 4x down to 1/1000 of a quarter of the median
        squared distance between the means.  Sorted largest first.
    update_weights : bool, default False
        Update the mixing weights in the M-step (default: held equal, 1/K, the classic
        k-means limit).
    max_iter : int, default 100
        EM iterations per sigma^2; 0 shows the E-step under the given means only.
    random_state : int, default 0
        Only used when ``means`` is an int.
    max_frames : int, default 30
    interval : int, default 400
        Milliseconds per step when playing.

    Attributes
    ----------
    widget : ipywidgets.VBox
    sigma2_slider, play : ipywidgets.SelectionSlider, ipywidgets.Play
        ``play_link`` (``jslink``) ties the Play button to the slider's index; the
        picture follows whichever of the two changes.
    update_weights_widget : ipywidgets.Checkbox
        Recomputes with or without weight updates.
    sigma2_values : ndarray (S,)
    result : FixedVarianceEM
    current_frame : KMeansLimitFrame

    Examples
    --------
    >>> explore_kmeans_limit(X, means=3)                   # doctest: +SKIP
    """

    def __init__(self, X, means, sigma2_values=None, *, update_weights=False, max_iter=100,
                 random_state=0, max_frames=30, interval=400):
        self.X = _check_plot_data(X, "KMeansLimitExplorer")
        if isinstance(means, Integral) and not isinstance(means, bool):
            from ..kmeans import kmeans_plusplus

            n_clusters = check_positive_int(means, "means (number of components)")
            random_state = check_positive_int(random_state, "random_state", minimum=0)
            means, _ = kmeans_plusplus(self.X, n_clusters, random_state)
        self.initial_means = check_start_means(means, self.X.shape[1])
        if sigma2_values is None:
            sigma2_values = _default_sigma2_values(self.X, self.initial_means)
        self.sigma2_values = np.sort(check_sigma2_values(sigma2_values, "sigma2_values"))[::-1].copy()
        if not isinstance(update_weights, (bool, np.bool_)):
            raise TypeError(f"update_weights must be True or False, got {update_weights!r}.")
        self.max_iter = check_positive_int(max_iter, "max_iter", minimum=0)
        self.max_frames = check_positive_int(max_frames, "max_frames")
        self.interval = check_positive_int(interval, "interval")
        _matplotlib()
        widgets = _ipywidgets()
        self._compute(bool(update_weights))
        self._build_widget(widgets, bool(update_weights))
        self._show_frame(0)

    def _compute(self, update_weights):
        self.update_weights = update_weights
        self.result = fixed_variance_em(self.X, self.initial_means, self.sigma2_values,
                                        update_weights=update_weights, max_iter=self.max_iter)
        self._view = _KMeansLimitView(self.X, self.result, dpi=WIDGET_DPI, figsize=WIDGET_FIGSIZE)

    def _build_widget(self, widgets, update_weights):
        style = {"description_width": "initial"}
        options = [(f"{value:.3g}", value) for value in self.sigma2_values]
        self.sigma2_slider = widgets.SelectionSlider(
            options=options, index=0, description="σ² (shared variance)", style=style,
            continuous_update=True, layout=widgets.Layout(width="460px"))
        self.play = widgets.Play(value=0, min=0, max=len(options) - 1, interval=self.interval,
                                 description="Play", show_repeat=False)
        self.play_link = widgets.jslink((self.play, "value"), (self.sigma2_slider, "index"))
        self.update_weights_widget = widgets.Checkbox(value=update_weights,
                                                      description="update weights")
        self._make_frames(widgets, len(options))
        self.sigma2_slider.observe(self._on_sigma2, names="index")
        self.play.observe(self._on_play, names="value")
        self.update_weights_widget.observe(self._on_update_weights, names="value")
        self._widget = widgets.VBox([
            widgets.HBox([self.play, self.sigma2_slider, self.update_weights_widget]),
            self.frames_view,
        ])

    def _slider_trait(self):
        return (self.sigma2_slider, "index")

    def _on_sigma2(self, change):
        self.show(change["new"])
        self._start_background_rendering()

    def _on_play(self, change):
        """Play's tick: move the slider (whose observer draws), as in ``EMExplorer``."""
        if self.sigma2_slider.index != change["new"]:
            self.sigma2_slider.index = change["new"]
        else:
            self.show(change["new"])
            self._start_background_rendering()

    def _on_update_weights(self, change):
        index = self.sigma2_slider.index
        self._compute(bool(change["new"]))
        self._reset_frames(len(self.sigma2_values))
        self.show(index)
        self._start_background_rendering()

    def show(self, index):
        """Draw the result for sigma2_values[index] (what the slider does)."""
        index = check_positive_int(index, "index", minimum=0)
        if index >= len(self.sigma2_values):
            raise ValueError(f"index must be < {len(self.sigma2_values)}; got {index}.")
        self._show_frame(index)

    @property
    def current_frame(self):
        """The KMeansLimitFrame drawn now."""
        index = self._view.current
        return KMeansLimitFrame(index, float(self.sigma2_values[index]),
                                self.result.weights[index].copy(),
                                self.result.means[index].copy(),
                                self.result.responsibilities[index].copy(),
                                self._view.entropy[index].copy())

    def _static_display(self):
        frames = _frame_indices(len(self.sigma2_values), self.max_frames)
        if len(frames) < len(self.sigma2_values):  # evenly spaced in log sigma^2, not EM-style
            frames = np.unique(np.round(np.linspace(0, len(self.sigma2_values) - 1,
                                                    self.max_frames)).astype(int))

        def make_view(dpi):
            return _KMeansLimitView(self.X, self.result, dpi=dpi, figsize=ANIMATION_FIGSIZE,
                                    frames=frames)

        return _animation(make_view, ANIMATION_DPI, len(frames), self.interval,
                          "Shared variance sigma squared shown")

    def __repr__(self):
        return (f"KMeansLimitExplorer(K={self.initial_means.shape[0]}, "
                f"{len(self.sigma2_values)} sigma^2 values from {self.sigma2_values[0]:.3g} "
                f"to {self.sigma2_values[-1]:.3g}, {self.X.shape[0]} points in "
                f"{self.X.shape[1]}-D)")


def explore_kmeans_limit(X, means=3, sigma2_values=None, **kwargs):
    """The chapter one-liner for the k-means limit: ``explore_kmeans_limit(X, means=3)``.

    Parameters
    ----------
    X : array-like (N, 2), (N, 1) or (N,)
    means : array-like (K, d), or int, default 3
        Starting means, or a number of components seeded by k-means++.
    sigma2_values : array-like of positive floats, optional
    **kwargs
        Any keyword argument of ``KMeansLimitExplorer`` (``update_weights``,
        ``max_iter``, ``random_state``, ...).

    Returns
    -------
    KMeansLimitExplorer
        Displayed, a live slider in JupyterLab and an animation sweeping sigma^2 down in
        the static book.

    Examples
    --------
    >>> explore_kmeans_limit(X, means=3)                   # doctest: +SKIP
    """
    return KMeansLimitExplorer(X, means, sigma2_values, **kwargs)
