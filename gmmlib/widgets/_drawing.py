"""Small helpers shared by the explorers' figures: optional imports, checks, colours, and
``_View``, a matplotlib figure redrawn fast by blitting its moving artists."""

import io

import numpy as np

from .._validation import check_data
from ..plotting import _rgb, component_color

INSTALL_HINT = 'pip install "gmmlib[widgets]"'

# Static animations: every frame is a base64 PNG in the page, so keep them few and small.
ANIMATION_MAX_FRAMES = 36
ANIMATION_DPI = 72
ANIMATION_FIGSIZE = (7.0, 3.0)
# The live view: sharper, a PNG of ~50 kB drawn in a few tens of milliseconds.
WIDGET_DPI = 90
WIDGET_FIGSIZE = (8.0, 3.5)


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


def _check_plot_data(X, what):
    """X as (N, d) with d in {1, 2}, at least two points."""
    X = check_data(X, "X", min_samples=2)
    if X.shape[1] > 2:
        raise ValueError(
            f"{what} draws 1-D or 2-D data, but X has {X.shape[1]} features. "
            "Pick two columns (X[:, [0, 1]]) or project the data to 2-D first (e.g. PCA)."
        )
    return X


def _check_figsize(figsize, name):
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a pair (width, height) in inches, got {figsize!r}.") from None
    if not (np.isfinite(width) and np.isfinite(height) and width > 0 and height > 0):
        raise ValueError(f"{name} must be two positive numbers (inches), got {figsize!r}.")
    return width, height


def _blend(resp):
    """Point colours: each point's responsibilities mix the component colours (as plot_gmm_2d)."""
    palette = np.array([_rgb(component_color(k)) for k in range(resp.shape[1])])
    return np.clip(resp @ palette, 0.0, 1.0)


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


def _data_limits(values, margin=0.08):
    low, high = float(np.min(values)), float(np.max(values))
    pad = margin * (high - low) if high > low else 1.0
    return low - pad, high + pad


def _format_means(means):
    """Component means for alt text: "-2.01, 1.00" (1-D) or "(0.12, 3.40), (...)" (2-D)."""
    if means.shape[1] == 1:
        return ", ".join(f"{m:.2f}" for m in means[:, 0])
    return ", ".join(f"({x:.2f}, {y:.2f})" for x, y in means)


class _View:
    """A matplotlib figure (Agg, outside pyplot) drawn fast by blitting its moving artists.

    Subclasses build the artists, list the moving ones in ``self.dynamic`` and implement
    ``draw(position)``, which only sets data on existing artists, and
    ``describe(position)``, the alt text of that frame.  ``png()`` draws the static
    parts (axes, ticks, labels, traces) once, caches them, and afterwards only restores
    that background and draws the moving artists on top.
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

    def rgb(self):
        """The current frame as an (H, W, 3) uint8 array (drawn by blitting)."""
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
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()

    def png(self, compact=False):
        """The current frame as PNG bytes; ``compact`` quantises to 256 colours (animations)."""
        return _encode_png(self.rgb(), compact)


def _encode_png(pixels, compact):
    """PNG bytes of an (H, W, 3) array: fast zlib level 1, or 256 colours for small pages."""
    from PIL import Image

    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    if compact:
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
        image.save(buffer, format="png", compress_level=6)
    else:
        image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()

