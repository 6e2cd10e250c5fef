"""Interactive EM explorers: sliders in JupyterLab, animations in the static book.

One line in a chapter, as the last expression of a code cell, gives the reader motion in
both places::

    explore_em(X, n_components=3)

In a live kernel this shows an ipywidgets UI; in the rendered book (no kernel) the same
output shows a playable, scrubbable animation of the same EM run, never dead widgets, and
on paper a still strip of four of its frames.  The mechanism is ``_repr_mimebundle_``: an
explorer offers Jupyter the widget view (``application/vnd.jupyter.widget-view+json``,
which JupyterLab ranks first), a self-contained ``text/html`` animation in matplotlib's
jshtml player with its print strip, and the strip alone as ``image/png`` (for builders
without HTML, such as LaTeX).  The book's HTML builder must drop the widget view so that
it falls back to ``text/html``; in ``_config.yml``::

    sphinx:
      config:
        nb_mime_priority_overrides:
          - [html, application/vnd.jupyter.widget-view+json, null]
        nb_ipywidgets_js: {}      # no require.js / widget manager from CDNs

The parts, one module each; the explorers only draw, every E-step they show is
``gmmlib.responsibilities`` and the k-means-limit algorithm is ``gmmlib.fixed_variance_em``:

``history``
    ``_EMHistory``, an EM run made ready to draw, and ``EMFrame``.
``em_view``
    The picture of one EM iteration, shared by the explorer and the animation.
``animation``
    ``em_animation(history, X, ...) -> str``: the static animation (jshtml HTML) of any
    ``history_`` / ``em(...).history``, offline, accessible and with its print strip.
``em_explorer``
    ``EMExplorer`` and ``explore_em(X, n_components=3, **kwargs)``: scrub through the
    iterations of a fit (a slider and Play redraw from the stored history, no refit);
    the K, covariance type, initialisation, seed and reg_covar controls refit.
``kmeans_limit_explorer``
    ``KMeansLimitExplorer`` and ``explore_kmeans_limit(X, means=3, **kwargs)``: a
    slider over a shared, fixed variance sigma^2 (chapter 6); the responsibilities turn
    into hard nearest-mean assignments as sigma^2 -> 0.
``_drawing``, ``_display``
    Shared helpers: optional imports, colours, the blitted figure; the two-way display.

For tests and curious readers, an explorer exposes its controls (``iteration_slider``,
``play``, ``k_widget``, ``covariance_widget``, ``init_widget``, ``seed_widget``,
``reg_covar_widget``; ``sigma2_slider``), what it shows (``history``, ``current_frame``,
``artists``, ``image``) and ``to_html()``.

Rendering uses matplotlib's Agg backend directly (``matplotlib.figure.Figure``, never
pyplot), so creating an explorer displays nothing by itself and needs no ipympl.  The live
view is an ``ipywidgets.Stack`` of one ``ipywidgets.Image`` (a PNG) per frame: drawing a
frame only sets data on the existing artists and blits them onto a cached background
(axes, ticks, labels); once the reader has touched the slider, the kernel renders the
other frames in the background and the browser switches between them itself (see
``_display``), so a key press or a Play tick needs no round trip to the kernel.  The static
animation is written by matplotlib's ``HTMLWriter`` (what ``FuncAnimation.to_jshtml``
uses) from frames rendered the same way, at most 36 frames of about 500 x 220 pixels in
256 colours.  matplotlib and ipywidgets are imported only when an explorer or animation is
made; without them you get an ``ImportError`` naming ``pip install "gmmlib[widgets]"``.
"""

from .animation import em_animation
from .em_explorer import EMExplorer, explore_em
from .history import EMFrame
from .kmeans_limit_explorer import KMeansLimitExplorer, KMeansLimitFrame, explore_kmeans_limit

__all__ = [
    "EMExplorer",
    "EMFrame",
    "KMeansLimitExplorer",
    "KMeansLimitFrame",
    "em_animation",
    "explore_em",
    "explore_kmeans_limit",
]
