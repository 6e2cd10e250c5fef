"""What the explorers share: the live picture, and the two-way display (the live widget in
JupyterLab; the static animation and its print strip elsewhere).

The live picture is an ``ipywidgets.Stack`` with one ``Image`` per frame.  A frame is
rendered when it is first shown; after the reader first touches the slider or Play, the
kernel also renders the remaining frames in the background (between messages, on the
kernel's event loop) and then links the slider to the Stack in the browser (``jslink``).
From then on a key press or a Play tick switches the picture without a round trip to the
kernel, so the picture is always the slider's frame and appears within a frame or two of
the browser.  A notebook executed without a reader (the book build) keeps only the frames
it showed, so the saved widget state stays small.
"""

import asyncio
import base64

WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"

# Pause between background renders, so that the reader's own messages are handled first.
BACKGROUND_PAUSE_S = 0.005


class _Explorer:
    """Base of the explorers.  Subclasses set ``_view`` and ``_widget``, call
    ``_make_frames`` and implement ``_slider_trait()`` and ``_static_display()`` ->
    ``(html, print strip PNG bytes)``."""

    # -- the live picture

    def _make_frames(self, widgets, n_frames):
        """Create ``frames_view``, the Stack of frame images."""
        self._widgets = widgets
        self._frames_link = None
        self._generation = 0
        self.frames_view = widgets.Stack([])
        self._reset_frames(n_frames)

    def _reset_frames(self, n_frames):
        """New, empty frames (after a refit): unlink, forget renders and the static display."""
        if self._frames_link is not None:
            self._frames_link.unlink()
            self._frames_link = None
        self._generation += 1
        self._background_started = False
        self._static = None
        old = self.frames_view.children
        layout = self._widgets.Layout(max_width="100%", height="auto")  # one, shared
        self.frames_view.selected_index = None
        self.frames_view.children = [self._widgets.Image(format="png", layout=layout)
                                     for _ in range(n_frames)]
        for image in old:
            image.close()

    def _render(self, index):
        """Put frame ``index``'s PNG into its image, once; the view's artists are left there."""
        self._view.draw(index)
        image = self.frames_view.children[index]
        if not image.value:
            image.value = self._view.png()

    def _show_frame(self, index):
        """Move the artists to frame ``index`` and show its image (rendered once)."""
        self._render(index)
        self.frames_view.selected_index = index

    @property
    def image(self):
        """The ``ipywidgets.Image`` of the frame shown now."""
        return self.frames_view.children[self.frames_view.selected_index]

    @property
    def frames_linked(self):
        """Whether every frame is rendered and the browser switches frames on its own."""
        return self._frames_link is not None

    def _start_background_rendering(self):
        """Render the other frames between messages, then link slider and Stack in the browser.

        Needs the running event loop of a kernel; elsewhere (a script, a test) frames are
        rendered when shown.
        """
        if self._background_started:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._background_started = True
        generation = self._generation

        def render_next():
            if generation != self._generation:  # refitted meanwhile: a new start is due
                return
            images = self.frames_view.children
            missing = [index for index, image in enumerate(images) if not image.value]
            if missing:
                shown = self._view.current
                self._render(missing[0])
                self._view.draw(shown)  # the artists describe the frame shown
                loop.call_later(BACKGROUND_PAUSE_S, render_next)
            else:
                self._frames_link = self._widgets.jslink(self._slider_trait(),
                                                         (self.frames_view, "selected_index"))

        loop.call_soon(render_next)

    # -- for readers and tests

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

    # -- the static display

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
