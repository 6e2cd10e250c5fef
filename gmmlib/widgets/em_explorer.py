"""The EM explorer: scrub through the iterations of a fit, and refit with other settings."""

import warnings
from numbers import Integral

from .._validation import check_nonnegative_real, check_option, check_positive_int
from ..covariances import COVARIANCE_TYPES
from ..exceptions import ConvergenceWarning
from ..initialization import INIT_METHODS
from ..mixture import GaussianMixture
from ._display import _Explorer
from ._drawing import (
    ANIMATION_MAX_FRAMES,
    WIDGET_DPI,
    WIDGET_FIGSIZE,
    _check_plot_data,
    _ipywidgets,
    _matplotlib,
)
from .animation import _em_animation
from .em_view import _EMView
from .history import _EMHistory


class EMExplorer(_Explorer):
    """Scrub through EM on 1-D or 2-D data, and refit with other settings.

    In JupyterLab: an iteration slider with a Play button, which redraws from the stored
    history (no refit; each frame is rendered once and then reused), and controls that
    refit with ``GaussianMixture``: K, covariance type, initialisation, random seed and
    reg_covar.  In the static book, the same output is a playable animation of the same
    EM run (and, printed, a strip of four frames).  Display the explorer (last expression
    of a cell) to get both.

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
        ties the Play button to it in the browser, and the picture follows whichever
        of the two changes, so during Play it shows the frame the slider shows.
    k_widget, covariance_widget, init_widget, seed_widget, reg_covar_widget
        The refit controls.
    frames_view : ipywidgets.Stack
        One ``ipywidgets.Image`` (a PNG) per iteration, each rendered once; once all are
        rendered, the slider switches them in the browser (see ``frames_linked``).
    image : ipywidgets.Image
        The image of the frame shown now.
    status : ipywidgets.HTML
        What was fitted and its final log-likelihood (the number the title shows at the
        last iteration), or why a refit failed.
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
            message = (f"Showing the given EM run: {len(self._data) - 1} iterations; "
                       f"{self._final_value()}.")
        self._view = _EMView(self._data, dpi=WIDGET_DPI, figsize=WIDGET_FIGSIZE)
        self._build_widget(widgets, n_components, covariance_type, init_params, random_state,
                           reg_covar, message)
        self._show_frame(len(self._data) - 1)  # open on the fit; Play starts over from 0

    # -- fitting

    def _final_value(self, data=None):
        """The last iteration's log-likelihood, worded and rounded as the title shows it."""
        data = self._data if data is None else data
        return f"final {data.label} {data.log_likelihoods[-1]:.4f}"

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
        data = _EMHistory(self.X, model)
        # The history's last entry is the log-likelihood of the final parameters, which the
        # title shows; lower_bound_ is that of the parameters one M-step earlier.
        message = (f"K = {n_components}, {covariance_type} covariances, init {init_params!r}, "
                   f"seed {random_state}, reg_covar {reg_covar:g}: {outcome}; "
                   f"{self._final_value(data)}.")
        return data, message

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
        self._view = _EMView(data, dpi=WIDGET_DPI, figsize=WIDGET_FIGSIZE)
        last = len(data) - 1
        self._reset_frames(len(data))
        self._updating = True
        try:
            if self.iteration_slider.value > last:
                self.iteration_slider.value = last
            self.iteration_slider.max = self.play.max = last
            self.play.value = self.iteration_slider.value = last
        finally:
            self._updating = False
        self._show_frame(last)
        self._start_background_rendering()  # the reader is here: prepare the new frames
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
        self._make_frames(widgets, len(self._data))
        self.status = widgets.HTML(value=message)
        self._updating = False
        self.iteration_slider.observe(self._on_iteration, names="value")
        self.play.observe(self._on_play, names="value")
        for control in (self.k_widget, self.covariance_widget, self.init_widget,
                        self.seed_widget):
            control.observe(self._on_control, names="value")
        self.reg_covar_widget.observe(self._on_reg_covar, names="value")
        self._widget = widgets.VBox([
            widgets.HBox([self.play, self.iteration_slider]),
            self.frames_view,
            widgets.HBox([self.k_widget, self.covariance_widget, self.init_widget]),
            widgets.HBox([self.seed_widget, self.reg_covar_widget]),
            self.status,
        ])

    def _slider_trait(self):
        return (self.iteration_slider, "value")

    def _on_iteration(self, change):
        if not self._updating:
            self.show(change["new"])
            self._start_background_rendering()

    def _on_play(self, change):
        """Play's tick: draw that frame now, and move the slider with it.

        In the browser ``play_link`` moves the slider too, and the slider's own message
        arrives later; drawing on Play's value keeps the picture on the slider's frame
        instead of one tick behind it.
        """
        if self._updating:
            return
        if self.iteration_slider.value != change["new"]:
            self.iteration_slider.value = change["new"]  # its observer draws the frame
        else:
            self.show(change["new"])
            self._start_background_rendering()

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
        self._show_frame(index)

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

    def _static_display(self):
        return _em_animation(self._data, self.X, max_frames=self.max_frames,
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
