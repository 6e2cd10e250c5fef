"""What the explorers share: the live PNG view with a frame cache, and the two-way display
(the live widget in JupyterLab, the static animation and its print strip elsewhere)."""

import base64

WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"


class _Explorer:
    """Base of the explorers.  Subclasses set ``_view``, ``_widget``, ``image`` and
    implement ``_static_display()`` -> ``(html, print strip PNG bytes)``."""

    def _reset_frames(self):
        """Forget the cached frame PNGs and the static display (after a refit)."""
        self._frame_png = {}
        self._static = None

    def _show_frame(self, index):
        """Move the artists to frame ``index`` and put its picture in the image widget.

        Each frame is rendered and PNG-encoded once; scrubbing back to it reuses the bytes.
        """
        self._view.draw(index)
        png = self._frame_png.get(index)
        if png is None:
            png = self._frame_png[index] = self._view.png()
        if self.image.value != png:
            self.image.value = png

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
        return self._static_parts()[0]

    def _static_parts(self):
        if self._static is None:
            self._static = self._static_display()
        return self._static

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """Every display at once: the live widget view, the static animation, the strip.

        JupyterLab renders the widget view (its highest priority); the static book's HTML
        builder is configured to drop it and use ``text/html`` (the animation, with its
        print strip); a builder without HTML (LaTeX) takes ``image/png``, the strip.
        """
        def wanted(mimetype):
            return ((include is None or mimetype in include)
                    and (exclude is None or mimetype not in exclude))

        bundle = {}
        widget_bundle = self._widget._repr_mimebundle_() or {}
        if WIDGET_VIEW_MIMETYPE in widget_bundle and wanted(WIDGET_VIEW_MIMETYPE):
            bundle[WIDGET_VIEW_MIMETYPE] = widget_bundle[WIDGET_VIEW_MIMETYPE]
        if wanted("text/html") or wanted("image/png"):
            page, strip = self._static_parts()
            if wanted("text/html"):
                bundle["text/html"] = page
            if wanted("image/png"):
                bundle["image/png"] = base64.b64encode(strip).decode("ascii")
        if wanted("text/plain"):
            bundle["text/plain"] = repr(self)
        return bundle
