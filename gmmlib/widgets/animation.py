"""The static animation: matplotlib's jshtml player made offline, accessible and printable.

``_animation_html(view, ...)`` plays ``view.draw(j)`` for every frame j in matplotlib's
jshtml player (what ``FuncAnimation.to_jshtml`` writes) and post-processes the page:

* offline: no Font Awesome stylesheet from a CDN; the button icons are inline SVG;
* accessible (WCAG 2.1 AA): each frame image has alt text saying what it shows, updated
  as the frame changes, and the slider has a name and a spoken value; the buttons are
  native ``<button>`` elements with names, so Tab, arrow keys, Enter and Space work;
* printable: the player sits in ``<div class="gmm-animation-live">`` and is followed by
  ``<figure class="gmm-print-strip">``, a still image of four frames with a caption,
  which ``book/_static/book.css`` shows on paper only.
"""

import base64
import html as html_escape
import json
import re

import numpy as np

from .._validation import check_positive_int
from ._drawing import (
    ANIMATION_DPI,
    ANIMATION_FIGSIZE,
    ANIMATION_MAX_FRAMES,
    _check_figsize,
    _check_plot_data,
    _encode_png,
    _matplotlib,
)
from .em_view import _EMView
from .history import _EMHistory

PRINT_STRIP_DPI = 110  # a 2 x 2 strip of 7 x 3 inch frames, printed 6.5 inches wide
ONLINE_VERSION = ("The moving version is in the online book and in the chapter's notebook "
                  "(make lab).")


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


def _strip_positions(n_frames):
    """Up to four frame positions for the print strip: first, early, middle and last."""
    last = n_frames - 1
    return sorted({0, min(last, max(1, round(last / 6))), round(last / 2), last})


# ---------------------------------------------------------------------- the player, offline


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


def _offline_jshtml(page):
    """Make matplotlib's jshtml self-contained: no CDN stylesheet, inline SVG button icons.

    A static page read offline (or tested with a strict browser console) would otherwise
    try to fetch Font Awesome from a CDN and show empty buttons.
    """
    page = re.sub(r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">', "", page)

    def icon(match):
        path = _FA_ICONS.get(match.group(1))
        if path is None:
            return match.group(0)
        return ('<svg width="12" height="12" viewBox="0 0 16 16" fill="currentColor" '
                f'aria-hidden="true" focusable="false" style="vertical-align:middle">{path}</svg>')

    return re.sub(r'<i class="([^"]*)"></i>', icon, page)


# ---------------------------------------------------------------------- the player, accessible


def _accessible_jshtml(page, alt_texts, slider_label):
    """Name the player's image and slider, and keep the image's alt text on its frame.

    The first frame's alt text is written into the page; a few lines of JavaScript set
    the alt text (and the slider's spoken value) of whichever frame the player shows.
    """
    match = re.search(r'<img id="(_anim_img\w+)">', page)
    slider = re.search(r'<input id="(_anim_slider\w+)"', page)
    if match is None or slider is None:
        raise RuntimeError(
            "matplotlib's jshtml template changed: no frame <img> or slider found; "
            "gmmlib.widgets.animation needs updating for this matplotlib version.")
    img_id, slider_id = match.group(1), slider.group(1)
    first = html_escape.escape(alt_texts[0], quote=True)
    page = page.replace(f'<img id="{img_id}">', f'<img id="{img_id}" alt="{first}">', 1)
    page = page.replace(
        f'<input id="{slider_id}"',
        f'<input id="{slider_id}" aria-label="{html_escape.escape(slider_label, quote=True)}" '
        f'aria-valuetext="{first}"', 1)
    # JSON in a <script>: "</" must not close the script element early.
    alts = json.dumps(list(alt_texts)).replace("</", "<\\/")
    script = f"""
<script>
  /* gmmlib: the frame image's alt text follows the frame shown (set_frame sets the image
     source, then the slider value; the observer runs after both). */
  (function() {{
    var alts = {alts};
    var img = document.getElementById("{img_id}");
    var slider = document.getElementById("{slider_id}");
    function describe() {{
      var text = alts[parseInt(slider.value, 10) || 0] || alts[0];
      img.setAttribute("alt", text);
      slider.setAttribute("aria-valuetext", text);
    }}
    new MutationObserver(describe).observe(img, {{attributes: true, attributeFilter: ["src"]}});
    slider.addEventListener("input", describe);
  }})();
</script>
"""
    return page + script


# ---------------------------------------------------------------------- the print strip


def _print_strip_png(view, positions):
    """One PNG of the chosen frames in a 2 x 2 grid (a row when fewer than four)."""
    frames = []
    for position in positions:
        view.draw(position)
        frames.append(view.rgb())
    if len(frames) == 4:
        pixels = np.vstack([np.hstack(frames[:2]), np.hstack(frames[2:])])
    else:
        pixels = np.hstack(frames)
    return _encode_png(pixels, compact=True)


def _print_strip_html(png, alt_text, caption):
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure class="gmm-print-strip">'
            f'<img src="data:image/png;base64,{data}" alt="{html_escape.escape(alt_text, quote=True)}" '
            f'style="max-width:100%">'
            f"<figcaption>{html_escape.escape(caption)}</figcaption></figure>")


def _strip_words(view, positions):
    """Alt text and caption of the print strip."""
    shown = " ".join(view.describe(position) for position in positions)
    alt_text = f"{len(positions)} frames of the animation, left to right, top to bottom. {shown}"
    titles = ", ".join(view.title(position).split("   ")[0] for position in positions)
    caption = f"Still frames of the animation: {titles}. {ONLINE_VERSION}"
    return alt_text, caption


# ---------------------------------------------------------------------- putting it together


def _jshtml(view, n_frames, interval):
    """Animate ``view.draw(j)``, j = 0..n_frames-1, into matplotlib's jshtml player.

    The page is what ``FuncAnimation(...).to_jshtml()`` writes (matplotlib's
    ``HTMLWriter`` with embedded frames), but each frame is rendered by blitting the
    moving artists onto a cached background instead of two full redraws per frame,
    which is several times faster (text and tick layout dominate a full draw).
    """
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
        return path.read_text()


def _animation(make_view, dpi, n_frames, interval, slider_label):
    """The static display of ``make_view(dpi)``: ``(text/html, print strip PNG bytes)``.

    The HTML holds the accessible, offline jshtml player (screen only) and the print
    strip (paper only, drawn at ``PRINT_STRIP_DPI`` so that its text reads on paper);
    the PNG is the strip alone, for builders without HTML (LaTeX).
    """
    view = make_view(dpi)
    player = _jshtml(view, n_frames, interval)
    player = _accessible_jshtml(_offline_jshtml(player),
                                [view.describe(j) for j in range(n_frames)], slider_label)
    positions = _strip_positions(n_frames)
    strip = _print_strip_png(make_view(PRINT_STRIP_DPI), positions)
    alt_text, caption = _strip_words(view, positions)
    page = (f'<div class="gmm-animation-live">{player}</div>\n'
            f"{_print_strip_html(strip, alt_text, caption)}")
    return page, strip


def em_animation(history, X, *, covariance_type=None, max_frames=ANIMATION_MAX_FRAMES,
                 dpi=ANIMATION_DPI, figsize=ANIMATION_FIGSIZE, interval=350):
    """A self-contained HTML animation (jshtml) of an EM run, for pages without a kernel.

    Each frame is the explorer's picture of one EM iteration: 2-D data coloured by
    responsibilities (eq-responsibility) with 1- and 2-sd ellipses, or the 1-D mixture
    density (eq-mixture-density) with its weighted components and a coloured rug; and
    the log-likelihood trace with the iteration marked.  It plays and scrubs in any
    browser, offline (no CDN), from the keyboard, with alt text on every frame; printed,
    it shows a still strip of four frames instead.

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
        HTML with the frames embedded as base64 PNGs and the player's JavaScript,
        followed by the print-only strip.

    Examples
    --------
    >>> from IPython.display import HTML
    >>> gm = GaussianMixture(3, random_state=0).fit(X)           # doctest: +SKIP
    >>> HTML(em_animation(gm.history_, X))                        # doctest: +SKIP
    """
    return _em_animation(history, X, covariance_type=covariance_type, max_frames=max_frames,
                         dpi=dpi, figsize=figsize, interval=interval)[0]


def _em_animation(history, X, *, covariance_type=None, max_frames=ANIMATION_MAX_FRAMES,
                  dpi=ANIMATION_DPI, figsize=ANIMATION_FIGSIZE, interval=350):
    """``em_animation`` returning ``(html, print strip PNG)``."""
    X = _check_plot_data(X, "em_animation")
    max_frames = check_positive_int(max_frames, "max_frames")
    dpi = check_positive_int(dpi, "dpi")
    interval = check_positive_int(interval, "interval")
    figsize = _check_figsize(figsize, "figsize")
    data = history if isinstance(history, _EMHistory) else _EMHistory(X, history, covariance_type)
    frames = _frame_indices(len(data), max_frames)

    def make_view(resolution):
        return _EMView(data, dpi=resolution, figsize=figsize, frames=frames)

    return _animation(make_view, dpi, len(frames), interval, "EM iteration shown")
