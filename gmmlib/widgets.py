"""Interactive EM explorers: sliders in JupyterLab, animations in the static book.

One line in a chapter, as the last expression of a code cell, gives the reader motion in
both places::

    explore_em(X, n_components=3)

In a live kernel this shows an ipywidgets UI; in the rendered book (no kernel) the same
output shows a playable, scrubbable animation of the same EM run, never dead widgets.
The mechanism is ``_repr_mimebundle_``: an explorer offers Jupyter *both* the widget view
(``application/vnd.jupyter.widget-view+json``, which JupyterLab ranks first) *and* a
self-contained ``text/html`` animation in matplotlib's jshtml player.  The book's HTML
builder must drop the widget view so that it falls back to ``text/html``; in
``_config.yml``::

    sphinx:
      config:
        nb_mime_priority_overrides:
          - [html, application/vnd.jupyter.widget-view+json, null]
        nb_ipywidgets_js: {}      # no require.js / widget manager from CDNs

Public API
----------
``EMExplorer(X, n_components=3, *, covariance_type='full', init_params='kmeans',
random_state=0, reg_covar=1e-6, max_iter=100, tol=1e-3, history=None)``
    Scrub through the EM iterations of a 1-D or 2-D mixture fit: an iteration slider
    with a Play button redraws from the stored history (no refit); the K, covariance
    type, initialisation, seed and reg_covar controls refit with ``GaussianMixture``.
    2-D: points coloured by responsibilities with 1- and 2-sd ellipses; 1-D: the
    mixture density, its weighted components and a rug of the data coloured by
    responsibilities.  Both: the log-likelihood trace with the current iteration marked.
    ``history=`` shows a given run instead (``GaussianMixture``, ``em(...)`` result or a
    list of ``EMIteration``).
``KMeansLimitExplorer(X, means, sigma2_values=None, *, update_weights=False)``
    A slider over a shared, fixed variance sigma^2 (log scale): EM with covariances
    sigma^2 I (chapter 6); the responsibilities turn into hard nearest-mean assignments
    as sigma^2 -> 0.
``explore_em(X, n_components=3, **kwargs)``, ``explore_kmeans_limit(X, means=3, **kwargs)``
    The chapter one-liners; they return the explorers above.
``em_animation(history, X, ...) -> str``
    The static animation alone (jshtml HTML), for any ``history_`` / ``em(...).history``:
    ``IPython.display.HTML(em_animation(gm.history_, X))``.
``fixed_variance_em(X, means, sigma2, *, update_weights=False)``
    EM with every covariance fixed at sigma^2 I, vectorised over several sigma^2 at once.

For tests and curious readers, an explorer exposes its controls (``iteration_slider``,
``play``, ``k_widget``, ``covariance_widget``, ``init_widget``, ``seed_widget``,
``reg_covar_widget``; ``sigma2_slider``), what it shows (``history``, ``current_frame``,
``artists``, ``image``) and ``to_html()``.

Rendering uses matplotlib's Agg backend directly (``matplotlib.figure.Figure``, never
pyplot), so creating an explorer displays nothing by itself and needs no ipympl.  The live
view is an ``ipywidgets.Image`` holding a PNG: a slider step only sets data on the
existing artists and blits them onto a cached background (axes, ticks, labels), a few
tens of milliseconds.  The static animation is written by matplotlib's ``HTMLWriter``
(what ``FuncAnimation.to_jshtml`` uses) from frames rendered the same way, at most 36
frames of about 500 x 220 pixels in 256 colours, with the player's Font Awesome icons
replaced by inline SVG so that the page works offline.  matplotlib and ipywidgets are
imported only when an explorer or animation is made; without them you get an
``ImportError`` naming ``pip install "gmmlib[widgets]"``.
"""

import io
import re
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy.special import entr, logsumexp

from ._validation import (
    as_float_array,
    check_data,
    check_means,
    check_nonnegative_real,
    check_option,
    check_positive_int,
)
from .covariances import COVARIANCE_TYPES, as_full, expected_shape
from .densities import LOG_2PI
from .exceptions import ConvergenceWarning
from .initialization import INIT_METHODS
from .mixture import GaussianMixture
from .plotting import (
    _rgb,
    component_color,
    plot_gmm_2d,
    plot_log_likelihood,
    plot_mixture_1d,
)

__all__ = [
    "EMExplorer",
    "EMFrame",
    "FixedVarianceEM",
    "KMeansLimitExplorer",
    "KMeansLimitFrame",
    "em_animation",
    "explore_em",
    "explore_kmeans_limit",
    "fixed_variance_em",
]

INSTALL_HINT = 'pip install "gmmlib[widgets]"'
WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"

# Static animations: every frame is a base64 PNG in the page, so keep them few and small.
ANIMATION_MAX_FRAMES = 36
ANIMATION_DPI = 72
ANIMATION_FIGSIZE = (7.0, 3.0)
# The live view: sharper, still a PNG of ~50 kB drawn in a few tens of milliseconds.
WIDGET_DPI = 90
WIDGET_FIGSIZE = (8.0, 3.5)


# ---------------------------------------------------------------------- optional dependencies


def _matplotlib():
    """``(Figure, FigureCanvasAgg, HTMLWriter, Ellipse)``, or an ImportError naming the extra."""
    try:
        from matplotlib.animation import HTMLWriter
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Ellipse
    except ImportError as error:
        raise ImportError(
            f"gmmlib.widgets needs matplotlib to draw ({error}). Install the extra with: "
            f"{INSTALL_HINT}"
        ) from None
    return Figure, FigureCanvasAgg, HTMLWriter, Ellipse


def _ipywidgets():
    """The ipywidgets module, or an ImportError saying what to install."""
    try:
        import ipywidgets
    except ImportError as error:
        raise ImportError(
            f"gmmlib.widgets needs ipywidgets for the interactive explorers ({error}). "
            f"Install the extra with: {INSTALL_HINT}"
        ) from None
    return ipywidgets


# ---------------------------------------------------------------------- small shared helpers


def _check_plot_data(X, what):
    """X as (N, d) with d in {1, 2}, at least two points."""
    X = check_data(X, "X", min_samples=2)
    if X.shape[1] > 2:
        raise ValueError(
            f"{what} draws 1-D or 2-D data, but X has {X.shape[1]} features. "
            "Pick two columns (X[:, [0, 1]]) or project the data to 2-D first (e.g. PCA)."
        )
    return X


def _check_positive_real(value, name):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}.")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}.")
    return float(value)


def _check_figsize(figsize, name):
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a pair (width, height) in inches, got {figsize!r}.") from None
    if not (np.isfinite(width) and np.isfinite(height) and width > 0 and height > 0):
        raise ValueError(f"{name} must be two positive numbers (inches), got {figsize!r}.")
    return width, height


def _palette(n_components):
    """(K, 3) RGB colours, ``component_color(k)`` for each k."""
    return np.array([_rgb(component_color(k)) for k in range(n_components)])


def _blend(resp):
    """Point colours: each point's responsibilities mix the component colours (as plot_gmm_2d)."""
    return np.clip(resp @ _palette(resp.shape[1]), 0.0, 1.0)


def _ellipse_geometry(covariances, n_std):
    """Width, height and angle (degrees) of the n-sd ellipses of (K, 2, 2) covariances.

    The same construction as ``gmmlib.plotting.covariance_ellipse``, batched.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(covariances)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    angle = np.degrees(np.arctan2(eigenvectors[:, 1, -1], eigenvectors[:, 0, -1]))
    width = 2.0 * n_std * np.sqrt(eigenvalues[:, -1])
    height = 2.0 * n_std * np.sqrt(eigenvalues[:, 0])
    return width, height, angle


def _gaussian_parts_1d(x, weights, means, variances):
    """``pi_k N(x | mu_k, sigma_k^2)`` on a grid, shape (K, len(x)) (eq-mixture-density's terms)."""
    variances = variances[:, np.newaxis]
    log_parts = -0.5 * (LOG_2PI + np.log(variances) + (x - means[:, np.newaxis]) ** 2 / variances)
    return weights[:, np.newaxis] * np.exp(log_parts)


def _data_limits(values, margin=0.08):
    low, high = float(np.min(values)), float(np.max(values))
    pad = margin * (high - low) if high > low else 1.0
    return low - pad, high + pad


def _frame_indices(n_frames, max_frames):
    """At most ``max_frames`` indices of 0..n-1, first and last included, denser early on.

    EM moves most in its first iterations, so the kept iterations are spaced
    quadratically: 0, 1, 2, 4, 6, 9, ... , n - 1.
    """
    if n_frames <= max_frames:
        return np.arange(n_frames)
    if max_frames == 1:
        return np.array([n_frames - 1])
    roots = np.linspace(0.0, np.sqrt(n_frames - 1), max_frames)
    indices = np.unique(np.round(roots**2)).astype(int)
    # rounding merges a few early indices; fill the gaps with the unused early ones
    missing = max_frames - len(indices)
    if missing > 0:
        spare = np.setdiff1d(np.arange(n_frames), indices)[:missing]
        indices = np.union1d(indices, spare)
    return indices


_FA_ICONS = {  # matplotlib's jshtml buttons use Font Awesome from a CDN; draw them inline
    "fa fa-minus": '<path d="M2 7h12v2H2z"/>',
    "fa fa-plus": '<path d="M7 2h2v5h5v2H9v5H7V9H2V7h5z"/>',
    "fa fa-fast-backward": '<path d="M15 2v12L9 8zM9 2v12L3 8zM1 2h2v12H1z"/>',
    "fa fa-step-backward": '<path d="M14 2v12L5 8zM2 2h3v12H2z"/>',
    "fa fa-play fa-flip-horizontal": '<path d="M12 2v12L2 8z"/>',
    "fa fa-pause": '<path d="M3 2h4v12H3zM9 2h4v12H9z"/>',
    "fa fa-play": '<path d="M4 2v12l10-6z"/>',
    "fa fa-step-forward": '<path d="M2 2v12l9-6zM11 2h3v12h-3z"/>',
    "fa fa-fast-forward": '<path d="M1 2v12l6-6zM7 2v12l6-6zM13 2h2v12h-2z"/>',
}


def _offline_jshtml(html):
    """Make matplotlib's jshtml self-contained: no CDN stylesheet, inline SVG button icons.

    A static page read offline (or tested with a strict browser console) would otherwise
    try to fetch Font Awesome from a CDN and show empty buttons.
    """
    html = re.sub(r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">', "", html)

    def icon(match):
        path = _FA_ICONS.get(match.group(1))
        if path is None:
            return match.group(0)
        return ('<svg width="12" height="12" viewBox="0 0 16 16" fill="currentColor" '
                f'aria-hidden="true" style="vertical-align:middle">{path}</svg>')

    return re.sub(r'<i class="([^"]*)"></i>', icon, html)


def _jshtml(view, n_frames, interval):
    """Animate ``view.draw(j)``, j = 0..n_frames-1, into matplotlib's jshtml player, offline.

    The page is what ``FuncAnimation(...).to_jshtml()`` writes (matplotlib's
    ``HTMLWriter`` with embedded frames), but each frame is rendered by blitting the
    moving artists onto a cached background instead of two full redraws per frame,
    which is several times faster (text and tick layout dominate a full draw).
    """
    import base64
    from pathlib import Path
    from tempfile import TemporaryDirectory

    _, _, HTMLWriter, _ = _matplotlib()

    class BlitHTMLWriter(HTMLWriter):
        def grab_frame(self, **savefig_kwargs):
            self._saved_frames.append(
                base64.encodebytes(view.png(compact=True)).decode("ascii"))

    writer = BlitHTMLWriter(fps=1000.0 / interval, embed_frames=True, default_mode="once")
    writer.frame_format = "png"  # what png() makes, whatever rcParams["animation.frame_format"]
    with TemporaryDirectory() as directory:
        path = Path(directory, "animation.html")
        with writer.saving(view.figure, path, dpi=view.figure.dpi):
            view.invalidate()  # the writer may have rounded the figure to even pixel sizes
            for position in range(n_frames):
                view.draw(position)
                writer.grab_frame()
        html = path.read_text()
    return _offline_jshtml(html)


class _View:
    """A matplotlib figure (Agg, outside pyplot) drawn fast by blitting its moving artists.

    Subclasses build the artists, list the moving ones in ``self.dynamic`` and implement
    ``draw(position)``, which only sets data on existing artists.  ``png()`` draws the
    static parts (axes, ticks, labels, traces) once, caches them, and afterwards only
    restores that background and draws the moving artists on top.
    """

    def _make_figure(self, dpi, figsize):
        Figure, FigureCanvasAgg, _, _ = _matplotlib()
        # Fixed margins (in inches, so any figsize works): a layout engine would cost more
        # than the whole drawing each time a view is made.
        width, height = figsize
        left, right, gap = 0.75, 0.15, 1.2  # inches: y labels, right edge, between panels
        self.figure = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.figure)
        grid = self.figure.add_gridspec(
            1, 2, width_ratios=(1.45, 1.0), left=left / width, right=1 - right / width,
            bottom=0.6 / height, top=1 - 0.4 / height,
            wspace=gap / ((width - left - right - gap) / 2))
        self.ax_data = self.figure.add_subplot(grid[0, 0])
        self.ax_trace = self.figure.add_subplot(grid[0, 1])
        # one line of text for the whole frame: text layout is the costliest part of a redraw
        title = self.figure.suptitle(" ", fontsize="medium")
        self.artists = {"title": title}
        self.dynamic = []
        self.current = None
        self._background = None

    def invalidate(self):
        """Forget the cached background (after the figure size or static artists change)."""
        self._background = None

    def png(self, compact=False):
        """The current frame as PNG bytes; ``compact`` quantises to 256 colours (animations)."""
        from PIL import Image

        canvas = self.figure.canvas
        if self._background is None:
            for artist in self.dynamic:
                artist.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.dynamic:
            self.figure.draw_artist(artist)
        image = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
        buffer = io.BytesIO()
        if compact:
            image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
            image.save(buffer, format="png", compress_level=6)
        else:
            image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


# ---------------------------------------------------------------------- EM histories


@dataclass(frozen=True)
class EMFrame:
    """What an EM explorer draws for one entry of the history.

    Attributes
    ----------
    index : int
        Position in the history (the iteration slider's value).
    iteration : int
        The EM iteration (``EMIteration.iteration``); 0 is the initialisation.
    weights : ndarray (K,)
    means : ndarray (K, d)
    covariances : ndarray (K, d, d)
        Full matrices, whatever the covariance type (``gmmlib.covariances.as_full``).
    responsibilities : ndarray (N, K)
        The E-step (eq-responsibility) under these parameters: the point colours.
    log_likelihood : float
        The value the trace marks (units as in the history: per point for
        ``GaussianMixture.history_``, a total for ``em(...).history``).
    """

    index: int
    iteration: int
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    responsibilities: np.ndarray
    log_likelihood: float


def _infer_covariance_type(covariances, n_components, n_features, hint):
    """The covariance type whose shape ``covariances`` has; ``hint`` breaks ties."""
    shape = np.shape(covariances)
    candidates = [kind for kind in COVARIANCE_TYPES
                  if shape == expected_shape(kind, n_components, n_features)]
    if hint in candidates:
        return hint
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        shapes = ", ".join(f"{kind} {expected_shape(kind, n_components, n_features)}"
                           for kind in COVARIANCE_TYPES)
        raise ValueError(
            f"history covariances have shape {shape}, which fits no covariance type for "
            f"K={n_components} components in d={n_features} dimensions ({shapes})."
        )
    raise ValueError(
        f"history covariances of shape {shape} could be {' or '.join(candidates)}; pass "
        "covariance_type= to say which."
    )


class _EMHistory:
    """A validated EM history on data X: parameters as (K, d) / (K, d, d), E-steps on demand."""

    def __init__(self, X, history, covariance_type=None, log_likelihood_label=None):
        label = "log-likelihood"
        if isinstance(history, GaussianMixture) and not hasattr(history, "history_"):
            raise ValueError(
                "this GaussianMixture has no history_: fit it first (with keep_history=True)."
            )
        if hasattr(history, "history_"):  # a fitted GaussianMixture
            covariance_type = history.covariance_type
            history = history.history_
            label = "log-likelihood per point"
        elif hasattr(history, "history") and not isinstance(history, (list, tuple)):  # EMResult
            history = history.history
        if covariance_type is not None:
            check_option(covariance_type, "covariance_type", COVARIANCE_TYPES)
        if not isinstance(history, (list, tuple)):
            raise TypeError(
                "history must be a list of EMIteration (GaussianMixture.history_ or "
                "em(...).history), an EMResult or a fitted GaussianMixture; got "
                f"{type(history).__name__}."
            )
        if len(history) == 0:
            raise ValueError(
                "history is empty; fit the model first (it needs at least one EMIteration).")
        required = ("weights", "means", "covariances", "log_likelihood")
        for position, entry in enumerate(history):
            missing = [name for name in required if not hasattr(entry, name)]
            if missing:
                raise TypeError(
                    f"history[{position}] has no {', '.join(missing)}; history entries must be "
                    "EMIteration objects (weights, means, covariances, log_likelihood)."
                )
        self.X = X
        n_samples, n_features = X.shape
        n_components = np.size(history[0].weights)
        if n_components < 1:
            raise ValueError("history[0].weights is empty; a mixture needs at least one component.")
        self.covariance_type = _infer_covariance_type(
            history[0].covariances, n_components, n_features, covariance_type)
        weights, means, covariances, values = [], [], [], []
        for position, entry in enumerate(history):
            w = as_float_array(entry.weights, f"history[{position}].weights").reshape(-1)
            if w.shape != (n_components,):
                raise ValueError(
                    f"history[{position}].weights has shape {w.shape}, but history[0] has "
                    f"{n_components} components; every entry must have the same K."
                )
            weights.append(w)
            means.append(check_means(entry.means, n_components, n_features,
                                     f"history[{position}].means"))
            c = as_float_array(entry.covariances, f"history[{position}].covariances")
            if c.shape != expected_shape(self.covariance_type, n_components, n_features):
                raise ValueError(
                    f"history[{position}].covariances has shape {c.shape}; expected "
                    f"{expected_shape(self.covariance_type, n_components, n_features)} "
                    "like history[0]."
                )
            covariances.append(as_full(c, self.covariance_type, n_components, n_features))
            values.append(entry.log_likelihood)
        self.history = history if isinstance(history, list) else list(history)
        self.weights = np.stack(weights)
        self.means = np.stack(means)
        self.covariances = np.stack(covariances).astype(float)
        self.iterations = np.array(
            [getattr(entry, "iteration", i) for i, entry in enumerate(history)])
        values = np.array(values, dtype=float)
        self._resp = {}
        # E-steps for all frames at once (scrubbing then only draws), in blocks of frames
        everything = n_samples * n_components * len(history) <= 4_000_000
        lls = np.empty(len(history))
        block = max(1, 400_000 // (n_samples * n_components))
        for start in range(0, len(history), block):
            indices = np.arange(start, min(start + block, len(history)))
            log_numerators = self._log_numerators(indices)
            log_norm = logsumexp(log_numerators, axis=2, keepdims=True)
            lls[indices] = log_norm[..., 0].mean(axis=1)
            if everything:
                resp = np.exp(log_numerators - log_norm)
                self._resp.update(zip(indices.tolist(), resp))
        if not np.all(np.isfinite(values)):  # recompute: the per-point average log-likelihood
            values = lls
            label = "log-likelihood per point"
        self.log_likelihoods = values
        self.label = log_likelihood_label or label

    def __len__(self):
        return len(self.history)

    @property
    def n_components(self):
        return self.weights.shape[1]

    def _log_numerators(self, indices):
        """``log pi_k + log N(x_n | mu_k, Sigma_k)`` for several frames at once, (T, N, K).

        (eq-gaussian-density) with Cholesky factors ``Sigma = L L^T``, batched over frames
        and components: the quadratic form is ``||L^{-1}(x - mu)||^2``, ``log det Sigma =
        2 sum log diag L``.
        """
        means = self.means[indices]  # (T, K, d)
        try:
            chol = np.linalg.cholesky(self.covariances[indices])  # (T, K, d, d)
        except np.linalg.LinAlgError:
            raise ValueError(
                "a covariance in the history is not positive definite (a collapsed "
                "component); refit with reg_covar > 0."
            ) from None
        centred = self.X[np.newaxis, np.newaxis, :, :] - means[:, :, np.newaxis, :]  # (T, K, N, d)
        whitened = np.linalg.solve(chol, np.swapaxes(centred, -1, -2))  # (T, K, d, N)
        log_det = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)  # (T, K)
        log_densities = -0.5 * (self.X.shape[1] * LOG_2PI + log_det[..., np.newaxis]
                                + np.einsum("tkdn,tkdn->tkn", whitened, whitened))
        with np.errstate(divide="ignore"):
            log_weights = np.log(self.weights[indices])  # a weight of 0 gives -inf, as it should
        return np.swapaxes(log_densities, 1, 2) + log_weights[:, np.newaxis, :]

    def responsibilities(self, index):
        """The E-step (eq-responsibility) under history[index] (precomputed when small)."""
        if index not in self._resp:
            if len(self._resp) >= 64:
                self._resp.clear()
            log_numerators = self._log_numerators(np.array([index]))[0]
            self._resp[index] = np.exp(log_numerators - logsumexp(log_numerators, axis=1,
                                                                  keepdims=True))
        return self._resp[index]

    def frame(self, index):
        return EMFrame(int(index), int(self.iterations[index]), self.weights[index].copy(),
                       self.means[index].copy(), self.covariances[index].copy(),
                       self.responsibilities(index).copy(), float(self.log_likelihoods[index]))


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
            _gaussian_parts_1d(self.grid, h.weights[i], h.means[i][:, 0],
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
        h, ax = self.history, self.ax_trace
        plot_log_likelihood(ax, h.log_likelihoods, current=index)
        self.artists["trace"] = ax.lines[0]
        self.artists["marker"] = ax.lines[1]
        ax.set_ylabel(h.label)
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
            parts = _gaussian_parts_1d(self.grid, weights, means[:, 0], covariances[:, 0, 0])
            for line, part in zip(self.artists["components"], parts):
                line.set_ydata(part)
                changed.append(line)
            self.artists["density"].set_ydata(parts.sum(axis=0))
            self.artists["rug"].set_color(colors)
            changed += [self.artists["density"], self.artists["rug"]]
        value = h.log_likelihoods[index]
        self.artists["marker"].set_data([index], [value])
        self.artists["title"].set_text(
            f"EM iteration {int(h.iterations[index])} of {int(h.iterations[-1])}   "
            f"(K = {h.n_components}, {h.covariance_type})   {h.label} {value:.4f}")
        changed += [self.artists["marker"], self.artists["title"]]
        self.current = index
        return changed


def em_animation(history, X, *, covariance_type=None, max_frames=ANIMATION_MAX_FRAMES,
                 dpi=ANIMATION_DPI, figsize=ANIMATION_FIGSIZE, interval=350):
    """A self-contained HTML animation (jshtml) of an EM run, for pages without a kernel.

    Each frame is the explorer's picture of one EM iteration: 2-D data coloured by
    responsibilities with 1- and 2-sd ellipses, or the 1-D mixture density with its
    weighted components and a coloured rug; and the log-likelihood trace with the
    iteration marked.  It plays and scrubs in any browser, offline (no CDN).

    Parameters
    ----------
    history : list of EMIteration, EMResult or fitted GaussianMixture
        ``GaussianMixture(...).fit(X).history_``, ``em(...).history``, or the objects
        that carry them.
    X : array-like (N, 2), (N, 1) or (N,)
        The data the history was fitted to.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, optional
        How to read ``covariances`` in the history; inferred from their shape when
        unambiguous (and taken from a GaussianMixture).
    max_frames : int, default 36
        At most this many frames; longer histories are subsampled (first and last
        iteration kept, early iterations denser), so the page stays small.
    dpi : int, default 72
    figsize : (float, float), default (7, 3)
        Inches; with ``dpi`` they set the frame size in pixels (and the page size).
    interval : int, default 350
        Milliseconds between frames when playing.

    Returns
    -------
    str
        HTML with the frames embedded as base64 PNGs and the player's JavaScript.

    Examples
    --------
    >>> from IPython.display import HTML
    >>> gm = GaussianMixture(3, random_state=0).fit(X)           # doctest: +SKIP
    >>> HTML(em_animation(gm.history_, X))                        # doctest: +SKIP
    """
    X = _check_plot_data(X, "em_animation")
    max_frames = check_positive_int(max_frames, "max_frames")
    dpi = check_positive_int(dpi, "dpi")
    interval = check_positive_int(interval, "interval")
    figsize = _check_figsize(figsize, "figsize")
    data = history if isinstance(history, _EMHistory) else _EMHistory(X, history, covariance_type)
    frames = _frame_indices(len(data), max_frames)
    view = _EMView(data, dpi=dpi, figsize=figsize, frames=frames)
    return _jshtml(view, len(frames), interval)


# ---------------------------------------------------------------------- the explorers


class _Explorer:
    """Shared by the explorers: the PNG view, the widget and the two-way display."""

    def _render(self):
        self.image.value = self._view.png()

    @property
    def widget(self):
        """The ipywidgets container (display it to get the live UI alone)."""
        return self._widget

    @property
    def figure(self):
        """The matplotlib Figure behind the live view (Agg; not managed by pyplot)."""
        return self._view.figure

    @property
    def artists(self):
        """The drawn matplotlib artists by role; scrubbing updates their data in place."""
        return self._view.artists

    def to_html(self):
        """The static animation (jshtml) of what the explorer shows; cached until a refit."""
        if self._html is None:
            self._html = self._animation_html()
        return self._html

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """Both displays at once: the live widget view and the static animation.

        JupyterLab renders the widget view (its highest priority); the static book's HTML
        builder is configured to prefer ``text/html``, the jshtml animation.
        """
        bundle = {}
        widget_bundle = self._widget._repr_mimebundle_() or {}
        if WIDGET_VIEW_MIMETYPE in widget_bundle:
            bundle[WIDGET_VIEW_MIMETYPE] = widget_bundle[WIDGET_VIEW_MIMETYPE]
        wanted = (include is None or "text/html" in include) and not (
            exclude is not None and "text/html" in exclude)
        if wanted:
            bundle["text/html"] = self.to_html()
        bundle["text/plain"] = repr(self)
        if include is not None:
            bundle = {key: value for key, value in bundle.items() if key in include}
        if exclude is not None:
            bundle = {key: value for key, value in bundle.items() if key not in exclude}
        return bundle


class EMExplorer(_Explorer):
    """Scrub through EM on 1-D or 2-D data, and refit with other settings.

    In JupyterLab: an iteration slider with a Play button, which redraws from the stored
    history (no refit, tens of milliseconds per step), and controls that refit with
    ``GaussianMixture``: K, covariance type, initialisation, random seed and reg_covar.
    In the static book, the same output is a playable animation of the same EM run.
    Display the explorer (last expression of a cell) to get both.

    Parameters
    ----------
    X : array-like (N, 2), (N, 1) or (N,)
        The data; 1-D or 2-D only.
    n_components : int, default 3
        K.  Ignored when ``history`` is given (taken from it).
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default 'full'
        For the fit; with ``history``, how to read its covariances if their shape is ambiguous.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default 'kmeans'
    random_state : int, default 0
        The seed of the initialisation (the seed control's starting value).
    reg_covar : float, default 1e-6
        Added to every covariance diagonal (chapter 7).
    max_iter : int, default 100
    tol : float, default 1e-3
        As in ``GaussianMixture``.
    history : list of EMIteration, EMResult or fitted GaussianMixture, optional
        Show this EM run instead of fitting one (e.g. ``em(...)`` from chosen starting
        parameters).  The controls still refit with ``GaussianMixture``.
    max_frames : int, default 36
        Frames of the static animation (the live slider always covers every iteration).
    interval : int, default 350
        Milliseconds per step when playing.

    Attributes
    ----------
    widget : ipywidgets.VBox
    iteration_slider, play : ipywidgets.IntSlider, ipywidgets.Play
        The slider's value is the position in ``history``; ``play_link`` (``jslink``)
        ties the Play button to it in the browser.
    k_widget, covariance_widget, init_widget, seed_widget, reg_covar_widget
        The refit controls.
    image : ipywidgets.Image
        The current frame as a PNG.
    status : ipywidgets.HTML
        What was fitted, or why a refit failed.
    history : list of EMIteration
        The EM run shown.
    current_frame : EMFrame
        The iteration drawn now (parameters and responsibilities).
    n_fits : int
        How many times the explorer has fitted (1 after construction without ``history``).

    Examples
    --------
    >>> explore_em(X, n_components=3)                     # doctest: +SKIP
    """

    def __init__(self, X, n_components=3, *, covariance_type="full", init_params="kmeans",
                 random_state=0, reg_covar=1e-6, max_iter=100, tol=1e-3, history=None,
                 max_frames=ANIMATION_MAX_FRAMES, interval=350):
        self.X = _check_plot_data(X, "EMExplorer")
        self.max_iter = check_positive_int(max_iter, "max_iter")
        self.tol = check_nonnegative_real(tol, "tol")
        self.max_frames = check_positive_int(max_frames, "max_frames")
        self.interval = check_positive_int(interval, "interval")
        check_option(covariance_type, "covariance_type", COVARIANCE_TYPES)
        check_option(init_params, "init_params", INIT_METHODS)
        random_state = check_positive_int(random_state, "random_state", minimum=0)
        reg_covar = check_nonnegative_real(reg_covar, "reg_covar")
        _matplotlib()
        widgets = _ipywidgets()
        self.n_fits = 0
        self._html = None
        if history is None:
            n_components = check_positive_int(n_components, "n_components")
            if n_components > self.X.shape[0]:
                raise ValueError(
                    f"n_components={n_components} exceeds the number of points "
                    f"({self.X.shape[0]}); use fewer components or more data."
                )
            settings = dict(n_components=n_components, covariance_type=covariance_type,
                            init_params=init_params, random_state=random_state,
                            reg_covar=reg_covar)
            self._data, message = self._fit(**settings)
        else:
            self._data = _EMHistory(self.X, history, None if hasattr(history, "history_")
                                    else covariance_type)
            n_components = self._data.n_components
            covariance_type = self._data.covariance_type
            if hasattr(history, "history_"):
                init_params = getattr(history, "init_params", init_params)
                state = getattr(history, "random_state", random_state)
                random_state = state if isinstance(state, Integral) and state >= 0 else random_state
                reg_covar = getattr(history, "reg_covar", reg_covar)
            message = f"Showing the given EM run: {len(self._data) - 1} iterations."
        self._view = _EMView(self._data, dpi=WIDGET_DPI, figsize=WIDGET_FIGSIZE)
        self._view.draw(len(self._data) - 1)  # open on the fit; Play starts over from 0
        self._build_widget(widgets, n_components, covariance_type, init_params, random_state,
                           reg_covar, message)

    # -- fitting

    def _fit(self, n_components, covariance_type, init_params, random_state, reg_covar):
        """Fit GaussianMixture with these settings; returns (history, status message)."""
        model = GaussianMixture(n_components, covariance_type=covariance_type, tol=self.tol,
                                reg_covar=reg_covar, max_iter=self.max_iter,
                                init_params=init_params, random_state=random_state)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(self.X)
        self.n_fits += 1
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        outcome = (f"converged after {model.n_iter_} EM iterations" if converged
                   else f"stopped at max_iter={self.max_iter} without converging")
        message = (f"K = {n_components}, {covariance_type} covariances, init {init_params!r}, "
                   f"seed {random_state}, reg_covar {reg_covar:g}: {outcome}; "
                   f"log-likelihood per point {model.lower_bound_:.4f}.")
        return _EMHistory(self.X, model), message

    def refit(self):
        """Fit again with the controls' current values and show the new run from its end."""
        settings = dict(n_components=int(self.k_widget.value),
                        covariance_type=self.covariance_widget.value,
                        init_params=self.init_widget.value,
                        random_state=int(self.seed_widget.value),
                        reg_covar=self._reg_covar)
        try:
            data, message = self._fit(**settings)
        except ValueError as error:
            self.status.value = (f"<b>Refit failed:</b> {error} Still showing the previous "
                                 "fit.")
            return False
        self._data = data
        self._html = None
        self._view = _EMView(data, dpi=WIDGET_DPI, figsize=WIDGET_FIGSIZE)
        last = len(data) - 1
        self._updating = True
        try:
            if self.iteration_slider.value > last:
                self.iteration_slider.value = last
            self.iteration_slider.max = self.play.max = last
            self.play.value = self.iteration_slider.value = last
        finally:
            self._updating = False
        self._view.draw(last)
        self._render()
        self.status.value = message
        return True

    # -- the widget

    def _build_widget(self, widgets, n_components, covariance_type, init_params, random_state,
                      reg_covar, message):
        last = len(self._data) - 1
        style = {"description_width": "initial"}
        self.iteration_slider = widgets.IntSlider(
            value=last, min=0, max=last, description="EM iteration", style=style,
            continuous_update=True, layout=widgets.Layout(width="420px"))
        self.play = widgets.Play(value=last, min=0, max=last, interval=self.interval,
                                 description="Play EM", show_repeat=False)
        self.play_link = widgets.jslink((self.play, "value"), (self.iteration_slider, "value"))
        self.k_widget = widgets.IntSlider(
            value=n_components, min=1, max=min(self.X.shape[0], max(8, n_components)),
            description="K", style=style, continuous_update=False,
            layout=widgets.Layout(width="220px"))
        self.covariance_widget = widgets.Dropdown(
            options=list(COVARIANCE_TYPES), value=covariance_type, description="covariance",
            style=style, layout=widgets.Layout(width="190px"))
        self.init_widget = widgets.Dropdown(
            options=list(INIT_METHODS), value=init_params, description="init",
            style=style, layout=widgets.Layout(width="220px"))
        self.seed_widget = widgets.BoundedIntText(
            value=random_state, min=0, max=2**31 - 1, description="seed", style=style,
            layout=widgets.Layout(width="140px"))
        self._reg_covar = float(reg_covar)
        self.reg_covar_widget = widgets.FloatLogSlider(
            value=min(max(reg_covar, 1e-9), 10.0), base=10, min=-9, max=1, step=1,
            description="reg_covar", readout_format=".0e", style=style,
            continuous_update=False, layout=widgets.Layout(width="300px"))
        self.image = widgets.Image(value=self._view.png(), format="png",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        self.status = widgets.HTML(value=message)
        self._updating = False
        self.iteration_slider.observe(self._on_iteration, names="value")
        for control in (self.k_widget, self.covariance_widget, self.init_widget,
                        self.seed_widget):
            control.observe(self._on_control, names="value")
        self.reg_covar_widget.observe(self._on_reg_covar, names="value")
        self._widget = widgets.VBox([
            widgets.HBox([self.play, self.iteration_slider]),
            self.image,
            widgets.HBox([self.k_widget, self.covariance_widget, self.init_widget]),
            widgets.HBox([self.seed_widget, self.reg_covar_widget]),
            self.status,
        ])

    def _on_iteration(self, change):
        if self._updating:
            return
        self.show(change["new"])

    def _on_control(self, change):
        self.refit()

    def _on_reg_covar(self, change):
        self._reg_covar = float(change["new"])
        self.refit()

    def show(self, index):
        """Draw history[index] (what the slider does): no refit, only the artists move."""
        index = check_positive_int(index, "index", minimum=0)
        if index >= len(self._data):
            raise ValueError(
                f"index must be < {len(self._data)} (the history's length); got {index}.")
        self._view.draw(index)
        self._render()

    # -- for readers and tests

    @property
    def history(self):
        """The EM run shown: a list of EMIteration (as fitted or as given)."""
        return self._data.history

    @property
    def covariance_type(self):
        return self._data.covariance_type

    @property
    def current_frame(self):
        """The EMFrame drawn now."""
        return self._data.frame(self._view.current)

    def _animation_html(self):
        return em_animation(self._data, self.X, max_frames=self.max_frames,
                            interval=self.interval)

    def __repr__(self):
        d = self.X.shape[1]
        return (f"EMExplorer(K={self._data.n_components}, covariance_type="
                f"{self._data.covariance_type!r}, {len(self._data) - 1} EM iterations, "
                f"{self.X.shape[0]} points in {d}-D)")


def explore_em(X, n_components=3, **kwargs):
    """The chapter one-liner: ``explore_em(X, n_components=3)`` as a cell's last line.

    Parameters
    ----------
    X : array-like (N, 2), (N, 1) or (N,)
    n_components : int, default 3
    **kwargs
        Any keyword argument of ``EMExplorer`` (``covariance_type``, ``init_params``,
        ``random_state``, ``reg_covar``, ``max_iter``, ``tol``, ``history``, ...).

    Returns
    -------
    EMExplorer
        Displayed, a live explorer in JupyterLab and an animation in the static book.

    Examples
    --------
    >>> explore_em(X, n_components=3, init_params="random_from_data")   # doctest: +SKIP
    """
    return EMExplorer(X, n_components, **kwargs)


# ---------------------------------------------------------------------- the k-means limit


@dataclass(frozen=True)
class FixedVarianceEM:
    """What ``fixed_variance_em`` returns; the leading axis runs over the sigma^2 values.

    Attributes
    ----------
    sigma2 : ndarray (S,)
    weights : ndarray (S, K)
    means : ndarray (S, K, d)
    responsibilities : ndarray (S, N, K)
        The E-step under the returned means and weights.
    n_iter : int
        EM iterations run (the slowest sigma^2 decides).
    """

    sigma2: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    responsibilities: np.ndarray
    n_iter: int


def fixed_variance_em(X, means, sigma2, *, update_weights=False, max_iter=100, tol=1e-8):
    """EM for a mixture whose covariances are all fixed at sigma^2 I (chapter 6).

    E-step (eq-responsibility) with ``Sigma_k = sigma^2 I``:
    ``r_nk = pi_k exp(-||x_n - mu_k||^2 / (2 sigma^2)) /``
    ``sum_j pi_j exp(-||x_n - mu_j||^2 / (2 sigma^2))``
    (the normalising constants cancel because every component has the same variance);
    M-step: means by (eq-m-step-means), weights by (eq-m-step-weights) when
    ``update_weights``, else held at 1/K.  As sigma^2 -> 0 the responsibilities become
    one-hot nearest-mean assignments and EM becomes k-means (eq-kmeans-objective).

    Vectorised over points, components and all the sigma^2 values at once; a component
    that receives no responsibility keeps its previous mean.

    Parameters
    ----------
    X : array-like (N, d) or (N,)
    means : array-like (K, d), or (K,) for 1-D data
        The starting means.
    sigma2 : float or array-like (S,)
        Shared variances, each > 0.
    update_weights : bool, default False
    max_iter : int, default 100
        0 gives only the E-step under the given means.
    tol : float, default 1e-8
        Stop when no mean moves more than ``tol`` times the data's spread.

    Returns
    -------
    FixedVarianceEM
        Arrays with a leading sigma^2 axis (dropped when ``sigma2`` is a scalar).
    """
    X = check_data(X)
    n_samples, n_features = X.shape
    means = _check_means_array(means, n_features)
    scalar = np.ndim(sigma2) == 0
    sigma2 = _check_sigma2(sigma2)
    if not isinstance(update_weights, (bool, np.bool_)):
        raise TypeError(f"update_weights must be True or False, got {update_weights!r}.")
    max_iter = check_positive_int(max_iter, "max_iter", minimum=0)
    tol = check_nonnegative_real(tol, "tol")
    n_components = means.shape[0]

    centre = X.mean(axis=0)
    Xc = X - centre  # distances are shift-invariant; centring avoids cancellation
    scale = max(float(np.sqrt((Xc**2).sum(axis=1).mean())), np.finfo(float).tiny)
    squared_norms = (Xc**2).sum(axis=1)
    mu = np.broadcast_to(means - centre, (len(sigma2), n_components, n_features)).copy()
    log_weights = np.full((len(sigma2), n_components), -np.log(n_components))

    def e_step(mu, log_weights):
        squared = (squared_norms[np.newaxis, :, np.newaxis]
                   - 2.0 * np.einsum("nd,skd->snk", Xc, mu)
                   + (mu**2).sum(axis=2)[:, np.newaxis, :])
        np.maximum(squared, 0.0, out=squared)
        log_resp = log_weights[:, np.newaxis, :] - squared / (2.0 * sigma2[:, None, None])
        log_resp -= logsumexp(log_resp, axis=2, keepdims=True)
        return np.exp(log_resp)

    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        resp = e_step(mu, log_weights)
        n_per_component = resp.sum(axis=1)  # (S, K), eq-m-step-nk
        alive = n_per_component > 1e-12
        counts = np.where(alive, n_per_component, 1.0)[..., np.newaxis]
        new_mu = np.einsum("snk,nd->skd", resp, Xc) / counts  # eq-m-step-means
        new_mu = np.where(alive[..., np.newaxis], new_mu, mu)
        if update_weights:
            with np.errstate(divide="ignore"):
                log_weights = np.log(n_per_component / n_samples)
        shift = np.abs(new_mu - mu).max()
        mu = new_mu
        if shift <= tol * scale:
            break
    resp = e_step(mu, log_weights)
    result = FixedVarianceEM(sigma2, np.exp(log_weights), mu + centre, resp, n_iter)
    if scalar:
        return FixedVarianceEM(float(sigma2[0]), result.weights[0], result.means[0],
                               result.responsibilities[0], n_iter)
    return result


def _check_means_array(means, n_features):
    means = as_float_array(means, "means")
    if n_features == 1 and means.ndim == 1:
        means = means[:, np.newaxis]
    if means.ndim != 2 or means.shape[0] < 1:
        raise ValueError(
            f"means must have shape (K, {n_features}) = (n_components, n_features); "
            f"got {means.shape}."
        )
    return check_means(means, means.shape[0], n_features, "means")


def _check_sigma2(sigma2):
    values = as_float_array(sigma2, "sigma2_values").reshape(-1)
    if values.size == 0:
        raise ValueError("sigma2_values is empty; give at least one variance > 0.")
    if np.any(values <= 0):
        raise ValueError(
            f"sigma2_values must be variances > 0; got min {values.min():.3g}. "
            "The k-means limit is sigma^2 -> 0, approached but not reached."
        )
    return values


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
        _, _, _, Ellipse = _matplotlib()
        self.X, self.fit = X, fit
        self.frames = np.arange(len(fit.sigma2)) if frames is None else np.asarray(frames)
        self.entropy = entr(fit.responsibilities).sum(axis=2)  # (S, N)
        self._make_figure(dpi, figsize)
        n_components = fit.means.shape[1]
        ax = self.ax_data
        first = self.frames[0]
        colors = _blend(fit.responsibilities[first])
        if X.shape[1] == 2:
            self.artists["points"] = ax.scatter(X[:, 0], X[:, 1], s=14 if len(X) <= 500 else 6,
                                                c=colors, alpha=0.85, linewidths=0)
            self.artists["circles"] = []
            for k in range(n_components):
                pair = []
                for n_std in (1, 2):
                    circle = Ellipse((0, 0), 1, 1, fill=False, edgecolor=component_color(k),
                                     lw=1.5, alpha=1.0 if n_std == 1 else 0.5)
                    ax.add_patch(circle)
                    pair.append(circle)
                self.artists["circles"].append(pair)
            self.artists["means"] = [
                ax.plot([], [], marker="X", ms=11, color=component_color(k), mec="white",
                        mew=1.5, ls="none")[0] for k in range(n_components)]
            ax.set_xlim(*_data_limits(X[:, 0]))
            ax.set_ylim(*_data_limits(X[:, 1]))
            ax.set_aspect("equal", adjustable="box")
            ax.set_xlabel("$x_1$")
            ax.set_ylabel("$x_2$")
        else:
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
        trace = self.ax_trace
        mean_entropy = self.entropy.mean(axis=1)
        self.artists["trace"] = trace.plot(fit.sigma2, mean_entropy, "-o", color="black", ms=3,
                                           lw=1.5)[0]
        trace.axhline(np.log(n_components), color="0.6", ls="--", lw=1)
        self.artists["marker"] = trace.plot([], [], "o", color=component_color(1), ms=9)[0]
        trace.set_xscale("log")
        if fit.sigma2[0] > fit.sigma2[-1]:
            trace.invert_xaxis()
        trace.set_xlabel(r"shared variance $\sigma^2$")
        trace.set_ylabel("mean entropy of $r_n$ (nats)")
        top = max(np.log(n_components), 0.1)  # log K: the entropy of a uniform row
        trace.set_ylim(-0.05 * top, 1.08 * top)
        if X.shape[1] == 2:
            self.dynamic += [self.artists["points"]]
            self.dynamic += [circle for pair in self.artists["circles"] for circle in pair]
        else:
            self.dynamic += self.artists["curves"] + [self.artists["rug"]]
        self.dynamic += self.artists["means"]
        self.dynamic += [self.artists["marker"], self.artists["title"]]
        self.draw(0)

    def draw(self, position):
        fit = self.fit
        index = int(self.frames[position])
        sigma2, means = fit.sigma2[index], fit.means[index]
        resp = fit.responsibilities[index]
        colors = _blend(resp)
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
            squared = (self.grid[:, np.newaxis] - means[:, 0]) ** 2  # (G, K)
            with np.errstate(divide="ignore"):
                log_resp = np.log(fit.weights[index]) - squared / (2 * sigma2)
            curves = np.exp(log_resp - logsumexp(log_resp, axis=1, keepdims=True))
            for k, line in enumerate(self.artists["curves"]):
                line.set_ydata(curves[:, k])
                self.artists["means"][k].set_xdata([means[k, 0], means[k, 0]])
                changed += [line, self.artists["means"][k]]
            self.artists["rug"].set_color(colors)
            changed.append(self.artists["rug"])
        mean_entropy = self.entropy[index].mean()
        self.artists["marker"].set_data([sigma2], [mean_entropy])
        self.artists["title"].set_text(
            f"σ² = {sigma2:.3g}   mean max responsibility {resp.max(axis=1).mean():.3f}   "
            f"mean entropy {mean_entropy:.3f} nats")
        changed += [self.artists["marker"], self.artists["title"]]
        self.current = index
        return changed


class KMeansLimitExplorer(_Explorer):
    """Soft assignments turning hard: EM with a shared, fixed variance sigma^2 -> 0 (chapter 6).

    For each sigma^2 in ``sigma2_values``, ``fixed_variance_em`` runs EM with every
    covariance fixed at sigma^2 I from the given starting means; the slider (log scale,
    from the largest sigma^2 to the smallest, so Play shows the limit) picks which
    result is drawn: points coloured by responsibilities with sigma and 2 sigma circles
    (2-D), or the responsibility curves r_k(x) and a coloured rug (1-D); beside it, the
    mean responsibility entropy against sigma^2.  Everything is computed once, so the
    slider only redraws.  In the static book the same output is an animation sweeping
    sigma^2 downwards.

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
        ``play_link`` (``jslink``) ties the Play button to the slider's index.
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
            from .kmeans import kmeans_plusplus

            n_clusters = check_positive_int(means, "means (number of components)")
            random_state = check_positive_int(random_state, "random_state", minimum=0)
            means, _ = kmeans_plusplus(self.X, n_clusters, random_state)
        self.initial_means = _check_means_array(means, self.X.shape[1])
        if sigma2_values is None:
            sigma2_values = _default_sigma2_values(self.X, self.initial_means)
        self.sigma2_values = np.sort(_check_sigma2(sigma2_values))[::-1].copy()
        if not isinstance(update_weights, (bool, np.bool_)):
            raise TypeError(f"update_weights must be True or False, got {update_weights!r}.")
        self.max_iter = check_positive_int(max_iter, "max_iter", minimum=0)
        self.max_frames = check_positive_int(max_frames, "max_frames")
        self.interval = check_positive_int(interval, "interval")
        _matplotlib()
        widgets = _ipywidgets()
        self._html = None
        self._compute(bool(update_weights))
        self._build_widget(widgets, bool(update_weights))

    def _compute(self, update_weights):
        self.update_weights = update_weights
        self.result = fixed_variance_em(self.X, self.initial_means, self.sigma2_values,
                                        update_weights=update_weights, max_iter=self.max_iter)
        self._view = _KMeansLimitView(self.X, self.result, dpi=WIDGET_DPI, figsize=WIDGET_FIGSIZE)
        self._html = None

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
        self.image = widgets.Image(value=self._view.png(), format="png",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        self.sigma2_slider.observe(self._on_sigma2, names="index")
        self.update_weights_widget.observe(self._on_update_weights, names="value")
        self._widget = widgets.VBox([
            widgets.HBox([self.play, self.sigma2_slider, self.update_weights_widget]),
            self.image,
        ])

    def _on_sigma2(self, change):
        self.show(change["new"])

    def _on_update_weights(self, change):
        index = self.sigma2_slider.index
        self._compute(bool(change["new"]))
        self.show(index)

    def show(self, index):
        """Draw the result for sigma2_values[index] (what the slider does)."""
        index = check_positive_int(index, "index", minimum=0)
        if index >= len(self.sigma2_values):
            raise ValueError(f"index must be < {len(self.sigma2_values)}; got {index}.")
        self._view.draw(index)
        self._render()

    @property
    def current_frame(self):
        """The KMeansLimitFrame drawn now."""
        index = self._view.current
        return KMeansLimitFrame(index, float(self.sigma2_values[index]),
                                self.result.weights[index].copy(),
                                self.result.means[index].copy(),
                                self.result.responsibilities[index].copy(),
                                self._view.entropy[index].copy())

    def _animation_html(self):
        frames = _frame_indices(len(self.sigma2_values), self.max_frames)
        if len(frames) < len(self.sigma2_values):  # evenly spaced in log sigma^2, not EM-style
            frames = np.unique(np.round(np.linspace(0, len(self.sigma2_values) - 1,
                                                    self.max_frames)).astype(int))
        view = _KMeansLimitView(self.X, self.result, dpi=ANIMATION_DPI,
                                figsize=ANIMATION_FIGSIZE, frames=frames)
        return _jshtml(view, len(frames), self.interval)

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
