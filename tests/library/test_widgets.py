"""The EM explorers: scrubbing draws the right history frame without refitting, the
controls refit, the k-means limit hardens the responsibilities, and the display offers
both the live widget view and a static animation.

No kernel or browser is needed: ipywidgets objects work without a frontend and the
figures are drawn with matplotlib's Agg backend.
"""

import base64
import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("ipywidgets")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from scipy.special import entr  # noqa: E402

import gmmlib.widgets as gw  # noqa: E402
from gmmlib.widgets._drawing import ANIMATION_MAX_FRAMES  # noqa: E402
from gmmlib.widgets.animation import _frame_indices  # noqa: E402
from gmmlib import GaussianMixture, KMeans, em, gaussian_logpdf, responsibilities  # noqa: E402
from gmmlib.covariances import as_full  # noqa: E402
from gmmlib.plotting import component_color  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def X1():
    rng = np.random.default_rng(1)
    return np.concatenate([rng.normal(-2, 0.5, 80), rng.normal(1, 1, 80), rng.normal(4, 0.6, 60)])


@pytest.fixture
def fit_spy(monkeypatch):
    """Count GaussianMixture.fit calls and remember the models fitted."""
    fitted = []
    original = GaussianMixture.fit

    def spy(self, *args, **kwargs):
        fitted.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(GaussianMixture, "fit", spy)
    return fitted


def rgb(color):
    return np.array([int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def expected_colors(resp):
    palette = np.array([rgb(component_color(k)) for k in range(resp.shape[1])])
    return np.clip(resp @ palette, 0, 1)


def assert_draws_2d_frame(explorer, X, index):
    """The drawn artists show history[index]: means, ellipses, point colours, trace marker."""
    entry = explorer.history[index]
    n_components = len(entry.weights)
    covariances = as_full(np.asarray(entry.covariances), explorer.covariance_type,
                          n_components, 2)
    artists = explorer.artists
    drawn_means = np.array([line.get_xydata()[0] for line in artists["means"]])
    np.testing.assert_allclose(drawn_means, entry.means)
    for k in range(n_components):
        one_sd, two_sd = artists["ellipses"][k]
        np.testing.assert_allclose(one_sd.get_center(), entry.means[k])
        eigenvalues = np.linalg.eigvalsh(covariances[k])
        np.testing.assert_allclose([one_sd.get_width(), one_sd.get_height()],
                                   2 * np.sqrt(eigenvalues[::-1]), rtol=1e-9)
        np.testing.assert_allclose(two_sd.get_width(), 4 * np.sqrt(eigenvalues[-1]), rtol=1e-9)
    # GaussianMixture's start from 'random_from_data' has weights N_k / N that do not sum
    # to 1 (as in scikit-learn); normalising them leaves the responsibilities unchanged
    weights = np.asarray(entry.weights) / np.sum(entry.weights)
    resp = responsibilities(X, weights, entry.means, covariances)
    np.testing.assert_allclose(artists["points"].get_facecolors()[:, :3], expected_colors(resp),
                               atol=1e-9)
    np.testing.assert_allclose(artists["marker"].get_xydata()[0], [index, entry.log_likelihood])
    frame = explorer.current_frame
    assert frame.index == index and frame.iteration == entry.iteration
    np.testing.assert_allclose(frame.means, entry.means)
    np.testing.assert_allclose(frame.responsibilities, resp, atol=1e-12)


# ---------------------------------------------------------------------- scrubbing


def test_scrubbing_draws_the_history_frame_2d(X2):
    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3)
    n = len(explorer.history)
    assert n >= 4, "the example needs a few EM iterations to scrub through"
    assert explorer.iteration_slider.max == n - 1 == explorer.play.max
    # it opens on the fitted model, and the slider says so
    assert explorer.iteration_slider.value == n - 1
    assert_draws_2d_frame(explorer, X2, n - 1)
    images = {}
    for index in (0, 1, n // 2, n - 1):
        explorer.iteration_slider.value = index
        assert_draws_2d_frame(explorer, X2, index)
        images[index] = explorer.image.value
        assert images[index][:8] == b"\x89PNG\r\n\x1a\n"
    assert len(set(images.values())) == len(images), "different iterations must look different"
    # back to an earlier frame: the same picture as before (state, not drawing history)
    explorer.iteration_slider.value = 1
    assert explorer.image.value == images[1]


def test_scrubbing_draws_the_history_frame_1d(X1):
    explorer = gw.EMExplorer(X1, n_components=3, init_params="random_from_data", random_state=1)
    n = len(explorer.history)
    assert n >= 3
    x_data = X1
    for index in (0, n - 1):
        explorer.iteration_slider.value = index
        entry = explorer.history[index]
        means, variances = entry.means[:, 0], as_full(entry.covariances, "full", 3, 1)[:, 0, 0]
        grid = explorer.artists["density"].get_xdata()
        parts = [w * np.exp(gaussian_logpdf(grid, m, v))
                 for w, m, v in zip(entry.weights, means, variances)]
        for line, part in zip(explorer.artists["components"], parts):
            np.testing.assert_allclose(line.get_ydata(), part, rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(explorer.artists["density"].get_ydata(), np.sum(parts, axis=0),
                                   rtol=1e-9)
        resp = responsibilities(x_data, entry.weights / entry.weights.sum(), means, variances)
        np.testing.assert_allclose(explorer.artists["rug"].get_edgecolors()[:, :3],
                                   expected_colors(resp), atol=1e-9)
        np.testing.assert_allclose(explorer.artists["marker"].get_xydata()[0],
                                   [index, entry.log_likelihood])


def test_scrubbing_never_refits_and_is_fast(X2, fit_spy):
    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3)
    assert len(fit_spy) == 1 and explorer.n_fits == 1
    n = len(explorer.history)
    cpu_times = []
    for index in [*range(n), *range(n - 1, -1, -1)]:
        start = time.process_time()
        explorer.iteration_slider.value = index
        cpu_times.append(time.process_time() - start)
    assert len(fit_spy) == 1, "scrubbing must redraw from the history, not refit"
    assert explorer.n_fits == 1
    # CPU time of one scrub step (independent of other load on the machine)
    assert np.median(cpu_times) < 0.1, f"median scrub {1000 * np.median(cpu_times):.0f} ms"


def test_play_is_linked_to_the_slider(X2):
    explorer = gw.EMExplorer(X2, n_components=2)
    link = explorer.play_link
    assert link.source == (explorer.play, "value")
    assert link.target == (explorer.iteration_slider, "value")
    assert explorer.play.min == explorer.iteration_slider.min == 0
    assert explorer.play.max == explorer.iteration_slider.max == len(explorer.history) - 1


def test_show_rejects_an_index_past_the_history(X2):
    explorer = gw.EMExplorer(X2, n_components=2)
    with pytest.raises(ValueError, match="history"):
        explorer.show(len(explorer.history))
    with pytest.raises(TypeError):
        explorer.show(1.5)


# ---------------------------------------------------------------------- refitting controls


def test_changing_k_refits_and_redraws(X2, fit_spy):
    explorer = gw.EMExplorer(X2, n_components=3)
    explorer.k_widget.value = 4
    assert len(fit_spy) == 2 and fit_spy[-1].n_components == 4
    assert all(len(entry.weights) == 4 for entry in explorer.history)
    assert len(explorer.artists["means"]) == 4 and len(explorer.artists["ellipses"]) == 4
    last = len(explorer.history) - 1
    assert explorer.iteration_slider.max == explorer.play.max == last
    assert explorer.iteration_slider.value == last
    assert_draws_2d_frame(explorer, X2, last)
    np.testing.assert_allclose(explorer.history[-1].means, fit_spy[-1].means_)
    assert "K = 4" in explorer.status.value
    explorer.iteration_slider.value = 0
    assert_draws_2d_frame(explorer, X2, 0)
    assert len(fit_spy) == 2


def test_changing_covariance_type_refits(X2, fit_spy):
    explorer = gw.EMExplorer(X2, n_components=3)
    explorer.covariance_widget.value = "spherical"
    assert len(fit_spy) == 2 and fit_spy[-1].covariance_type == "spherical"
    assert explorer.covariance_type == "spherical"
    assert np.shape(explorer.history[-1].covariances) == (3,)
    for k, (one_sd, _) in enumerate(explorer.artists["ellipses"]):  # circles now
        radius = np.sqrt(explorer.history[-1].covariances[k])
        np.testing.assert_allclose([one_sd.get_width(), one_sd.get_height()], 2 * radius)
    assert_draws_2d_frame(explorer, X2, len(explorer.history) - 1)
    explorer.covariance_widget.value = "tied"
    assert np.shape(explorer.history[-1].covariances) == (2, 2)
    assert_draws_2d_frame(explorer, X2, len(explorer.history) - 1)


def test_changing_init_and_seed_refits(X2, fit_spy):
    explorer = gw.EMExplorer(X2, n_components=3)
    explorer.init_widget.value = "random_from_data"
    assert fit_spy[-1].init_params == "random_from_data"
    start = explorer.history[0].means.copy()
    explorer.seed_widget.value = 7
    assert len(fit_spy) == 3 and fit_spy[-1].random_state == 7
    assert not np.allclose(explorer.history[0].means, start), "another seed, another start"
    assert_draws_2d_frame(explorer, X2, len(explorer.history) - 1)


def test_changing_reg_covar_refits(X2, fit_spy):
    explorer = gw.EMExplorer(X2, n_components=3)
    explorer.reg_covar_widget.value = 1.0
    assert len(fit_spy) == 2 and fit_spy[-1].reg_covar == 1.0
    smallest = min(np.linalg.eigvalsh(c).min() for c in explorer.history[-1].covariances)
    assert smallest >= 1.0 - 1e-9
    assert "reg_covar 1" in explorer.status.value


def test_a_failed_refit_keeps_the_previous_fit(X2, monkeypatch):
    explorer = gw.EMExplorer(X2, n_components=3)
    before = explorer.history

    def broken(self, X, y=None, sample_weight=None):
        raise ValueError("ill-defined empirical covariance")

    monkeypatch.setattr(GaussianMixture, "fit", broken)
    explorer.k_widget.value = 5
    assert explorer.history is before
    assert "Refit failed" in explorer.status.value and "ill-defined" in explorer.status.value
    assert len(explorer.artists["means"]) == 3


def test_explorer_accepts_a_fitted_history(X1, X2):
    gm = GaussianMixture(2, covariance_type="diag", random_state=0).fit(X2)
    explorer = gw.EMExplorer(X2, history=gm)
    assert explorer.history is gm.history_ and explorer.covariance_type == "diag"
    assert explorer.k_widget.value == 2 and explorer.covariance_widget.value == "diag"
    assert explorer.n_fits == 0
    assert_draws_2d_frame(explorer, X2, len(gm.history_) - 1)
    # the teaching em(): 1-D, means and variances as (K,) vectors, a total log-likelihood
    result = em(X1, [0.3, 0.3, 0.4], [-1.0, 0.0, 1.0], [1.0, 1.0, 1.0], max_iter=15)
    explorer = gw.EMExplorer(X1, history=result)
    assert len(explorer.history) == len(result.history)
    explorer.iteration_slider.value = 5
    np.testing.assert_allclose(explorer.current_frame.means[:, 0], result.history[5].means)
    np.testing.assert_allclose(explorer.artists["marker"].get_xydata()[0],
                               [5, result.history[5].log_likelihood])


# ---------------------------------------------------------------------- the two displays


def animation_frames(html):
    """The player's frames (base64 PNGs), not the print strip after it."""
    player = html.split('<figure class="gmm-print-strip">')[0]
    return re.findall(r'data:image/png;base64,([^"]*)"', player)


def test_mimebundle_has_the_widget_view_and_a_static_animation(X2):
    before = plt.get_fignums()
    explorer = gw.explore_em(X2, n_components=3, init_params="random_from_data",
                             random_state=3, tol=0.0, max_iter=60)
    assert len(explorer.history) == 61
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW, "text/html", "image/png", "text/plain"}
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    html = bundle["text/html"]
    assert "new Animation(frames" in html and "anim-slider" in html
    frames = animation_frames(html)
    assert len(frames) == ANIMATION_MAX_FRAMES, "60 iterations are subsampled"
    first = base64.b64decode(frames[0].replace("\\\n", ""))
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(html) < 3_000_000, f"{len(html) / 1e6:.1f} MB is too heavy for a book page"
    assert "maxcdn" not in html and "font-awesome" not in html, "the page must work offline"
    assert "EMExplorer" in bundle["text/plain"]
    assert plt.get_fignums() == before, "making or displaying an explorer must not leak figures"
    # cached until a refit
    assert explorer.to_html() is html
    explorer.max_frames = 3
    explorer.k_widget.value = 2
    assert len(animation_frames(explorer.to_html())) == 3, "a refit makes a new animation"
    # a frontend that asks only for the widget view does not pay for the animation
    assert set(explorer._repr_mimebundle_(exclude={"text/html", "image/png"})) == {
        WIDGET_VIEW, "text/plain"}


def test_frame_subsampling_keeps_first_and_last():
    for n, max_frames in [(5, 36), (100, 36), (37, 36), (1000, 10), (3, 1)]:
        indices = _frame_indices(n, max_frames)
        assert len(indices) == min(n, max_frames)
        assert indices[-1] == n - 1
        assert np.all(np.diff(indices) > 0)
        if max_frames > 1:
            assert indices[0] == 0


def test_em_animation_on_its_own(X1):
    result = em(X1, [0.3, 0.3, 0.4], [-1.0, 0.0, 1.0], [1.0, 1.0, 1.0], max_iter=12)
    html = gw.em_animation(result.history, X1, max_frames=5)
    assert len(animation_frames(html)) == 5
    assert "new Animation(frames" in html


def test_kmeans_limit_mimebundle(X2):
    explorer = gw.explore_kmeans_limit(X2, means=3)
    bundle = explorer._repr_mimebundle_()
    assert {WIDGET_VIEW, "text/html", "text/plain"} <= set(bundle)
    frames = animation_frames(bundle["text/html"])
    assert len(frames) == min(30, len(explorer.sigma2_values))
    assert len(bundle["text/html"]) < 3_000_000


# ---------------------------------------------------------------------- the k-means limit


def test_responsibilities_harden_as_sigma2_shrinks(X2):
    means = X2[[0, 60, 120]] + 0.3
    explorer = gw.KMeansLimitExplorer(X2, means, np.geomspace(20.0, 1e-3, 12),
                                      update_weights=True)
    sigma2 = explorer.sigma2_values
    assert np.all(np.diff(sigma2) < 0), "the slider runs from soft to hard"
    resp = explorer.result.responsibilities
    entropy = entr(resp).sum(axis=2)
    max_entropy, mean_entropy = entropy.max(axis=1), entropy.mean(axis=1)
    assert np.all(np.diff(mean_entropy) <= 1e-9), "mean entropy never rises as sigma^2 falls"
    assert max_entropy[-1] < max_entropy[0]
    assert max_entropy[-1] < 1e-3 and max_entropy[0] > 0.5
    # at the smallest sigma^2: one-hot nearest-mean assignments (the k-means E-step)
    last_means = explorer.result.means[-1]
    nearest = ((X2[:, None, :] - last_means[None]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(resp[-1].argmax(axis=1), nearest)
    assert resp[-1].max(axis=1).min() > 0.999


def test_kmeans_limit_slider_draws_the_chosen_sigma2(X2):
    explorer = gw.KMeansLimitExplorer(X2, X2[[0, 60, 120]], np.geomspace(10.0, 1e-2, 8))
    for index in (0, 3, 7):
        explorer.sigma2_slider.index = index
        frame = explorer.current_frame
        assert frame.index == index and frame.sigma2 == explorer.sigma2_values[index]
        np.testing.assert_allclose(explorer.artists["points"].get_facecolors()[:, :3],
                                   expected_colors(explorer.result.responsibilities[index]),
                                   atol=1e-9)
        drawn = np.array([line.get_xydata()[0] for line in explorer.artists["means"]])
        np.testing.assert_allclose(drawn, explorer.result.means[index])
        circle = explorer.artists["circles"][0][0]
        np.testing.assert_allclose(circle.get_width(), 2 * np.sqrt(frame.sigma2))
    assert explorer.play_link.target == (explorer.sigma2_slider, "index")


def test_kmeans_limit_1d_and_weight_updates(X1):
    explorer = gw.KMeansLimitExplorer(X1, [-1.0, 0.0, 1.0], np.geomspace(5.0, 1e-3, 6))
    np.testing.assert_allclose(explorer.result.weights, 1 / 3)
    explorer.sigma2_slider.index = 5
    curves = np.array([line.get_ydata() for line in explorer.artists["curves"]])
    np.testing.assert_allclose(curves.sum(axis=0), 1.0)
    assert np.mean(curves.max(axis=0) > 0.999) > 0.95, "hard steps at small sigma^2"
    explorer.update_weights_widget.value = True
    assert explorer.update_weights
    assert not np.allclose(explorer.result.weights[-1], 1 / 3)
    assert explorer.current_frame.index == 5


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(X=np.zeros((10, 3))), ValueError, "1-D or 2-D"),
        (dict(X=[["a", "b"], ["c", "d"]]), TypeError, "numeric"),
        (dict(X=[[np.nan, 0.0], [1.0, 1.0]]), ValueError, "NaN"),
        (dict(n_components=0), ValueError, "n_components"),
        (dict(n_components=2.5), TypeError, "n_components"),
        (dict(n_components=500), ValueError, "exceeds"),
        (dict(covariance_type="round"), ValueError, "covariance_type"),
        (dict(init_params="magic"), ValueError, "init_params"),
        (dict(reg_covar=-1.0), ValueError, "reg_covar"),
        (dict(random_state="seed"), TypeError, "random_state"),
        (dict(max_iter=0), ValueError, "max_iter"),
        (dict(history=[]), ValueError, "empty"),
        (dict(history="a history"), TypeError, "history"),
        (dict(history=[object()]), TypeError, "EMIteration"),
        (dict(history=GaussianMixture(2)), ValueError, "fit it first"),
    ],
)
def test_em_explorer_rejects_bad_input(X2, kwargs, error, match):
    kwargs = {"X": X2, **kwargs}
    with pytest.raises(error, match=match):
        gw.EMExplorer(**kwargs)


def test_history_that_does_not_fit_the_data_is_rejected(X2):
    gm = GaussianMixture(3, random_state=0).fit(X2)
    with pytest.raises(ValueError, match="fits no covariance type"):
        gw.EMExplorer(X2[:, :1], history=gm.history_)
    broken = [gm.history_[0], gm.history_[1].__class__(1, gm.history_[1].weights[:2],
                                                        gm.history_[1].means[:2],
                                                        gm.history_[1].covariances[:2], 0.0)]
    with pytest.raises(ValueError, match="same K"):
        gw.em_animation(broken, X2)
    with pytest.raises(ValueError, match="max_frames"):
        gw.em_animation(gm, X2, max_frames=0)
    with pytest.raises(TypeError, match="dpi"):
        gw.em_animation(gm, X2, dpi="high")


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.zeros((2, 3)),), {}, ValueError, "means"),
        ((np.zeros((2, 2)), [1.0, -1.0]), {}, ValueError, "sigma2"),
        ((np.zeros((2, 2)), []), {}, ValueError, "empty"),
        ((np.zeros((2, 2)),), dict(update_weights="yes"), TypeError, "update_weights"),
        ((0,), {}, ValueError, "means"),
    ],
)
def test_kmeans_limit_rejects_bad_input(X2, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        gw.KMeansLimitExplorer(X2, *args, **kwargs)


# ---------------------------------------------------------------------- optional dependencies


def test_missing_ipywidgets_names_the_extra(X2, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=re.escape("gmmlib[widgets]")):
        gw.EMExplorer(X2, n_components=2)


def test_missing_matplotlib_names_the_extra(X2, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.animation", None)
    with pytest.raises(ImportError, match=re.escape("gmmlib[widgets]")):
        gw.em_animation(GaussianMixture(2, random_state=0).fit(X2), X2)


def test_importing_gmmlib_needs_neither_matplotlib_nor_ipywidgets():
    code = ("import sys, gmmlib, gmmlib.widgets; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'; "
            "assert 'ipywidgets' not in sys.modules, 'ipywidgets imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------- issue 13: live explorer


def test_play_steps_show_the_frame_the_slider_shows(X2):
    """Play's value reaches the kernel too: after every tick, picture == slider == Play."""
    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3)
    reference = gw.EMExplorer(X2, n_components=3, init_params="random_from_data",
                              random_state=3)
    last = len(explorer.history) - 1
    explorer.play.value = 0  # Play starts over from the first iteration
    for tick in range(last + 1):
        explorer.play.value = tick
        assert explorer.iteration_slider.value == tick
        assert explorer.current_frame.index == tick
        reference.show(tick)
        assert explorer.image.value == reference.image.value, f"tick {tick} shows another frame"
    # the browser's jslink may move the slider first: the picture still follows
    explorer.iteration_slider.value = 2
    explorer.play.value = 2
    assert explorer.current_frame.index == 2


def test_kmeans_limit_play_steps_show_the_slider_frame(X2):
    explorer = gw.KMeansLimitExplorer(X2, X2[[0, 60, 120]], np.geomspace(10.0, 1e-2, 6))
    for tick in range(6):
        explorer.play.value = tick
        assert explorer.sigma2_slider.index == tick == explorer.current_frame.index
        assert explorer.current_frame.sigma2 == explorer.sigma2_values[tick]


def test_frames_are_rendered_once_and_reused(X2, monkeypatch):
    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3)
    renders = []
    original = type(explorer._view).png

    def counting_png(view, *args, **kwargs):
        renders.append(view.current)
        return original(view, *args, **kwargs)

    monkeypatch.setattr(type(explorer._view), "png", counting_png)
    n = len(explorer.history)
    for index in [*range(n), *range(n - 1, -1, -1), *range(n)]:
        explorer.iteration_slider.value = index
    assert sorted(renders) == list(range(n - 1)), "each frame (but the opening one) rendered once"
    # a reused frame is the picture a fresh explorer draws for that iteration
    fresh = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3)
    fresh.show(1)
    explorer.iteration_slider.value = 1
    assert explorer.image.value == fresh.image.value
    # a refit forgets the old frames
    explorer.k_widget.value = 2
    explorer.iteration_slider.value = 0
    assert explorer.current_frame.means.shape == (2, 2)
    assert explorer.image.value != fresh.image.value


def number_after(label, text):
    match = re.search(re.escape(label) + r" (-?\d+\.\d+)", text)
    assert match, f"{label!r} not followed by a number in {text!r}"
    return float(match.group(1))


@pytest.mark.parametrize("data", ["X1", "X2"])
def test_status_and_title_show_the_same_log_likelihood(data, request):
    X = request.getfixturevalue(data)
    explorer = gw.EMExplorer(X, n_components=3, init_params="random_from_data", random_state=3)
    label = "log-likelihood per point"
    title = explorer.artists["title"].get_text()
    status = explorer.status.value
    assert number_after(label, status) == number_after(label, title)
    # the number is the history's last entry (the final parameters), not lower_bound_
    assert number_after(label, status) == round(explorer.history[-1].log_likelihood, 4)
    gm = GaussianMixture(3, init_params="random_from_data", random_state=3, tol=1e-3).fit(X)
    assert gm.lower_bound_ != explorer.history[-1].log_likelihood, (
        "lower_bound_ belongs to the parameters one M-step earlier; the test needs them apart")
    # after a refit, the same agreement
    explorer.k_widget.value = 2
    assert number_after(label, explorer.status.value) == number_after(
        label, explorer.artists["title"].get_text())


@pytest.mark.parametrize("max_iter", [1, 2, 3, 5])
def test_short_runs_get_integer_iteration_ticks(X2, max_iter):
    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3,
                             max_iter=max_iter, tol=0.0)
    assert len(explorer.history) == max_iter + 1
    explorer.figure.canvas.draw()
    axis = explorer._view.ax_trace
    low, high = axis.get_xlim()
    ticks = [tick for tick in axis.get_xticks() if low <= tick <= high]
    assert len(ticks) >= 2
    assert all(float(tick).is_integer() for tick in ticks), ticks
    labels = [label.get_text().replace("\N{MINUS SIGN}", "-") for label in axis.get_xticklabels()
              if label.get_text()]
    assert labels and all(re.fullmatch(r"-?\d+", text) for text in labels), labels


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_every_drawn_e_step_is_gmmlib_responsibilities(X2, covariance_type):
    gm = GaussianMixture(3, covariance_type=covariance_type, init_params="random_from_data",
                         random_state=2, max_iter=8, tol=0.0).fit(X2)
    explorer = gw.EMExplorer(X2, history=gm)
    for index, entry in enumerate(explorer.history):
        explorer.show(index)
        covariances = as_full(np.asarray(entry.covariances), covariance_type, 3, 2)
        weights = np.asarray(entry.weights) / np.sum(entry.weights)
        expected = responsibilities(X2, weights, entry.means, covariances)
        np.testing.assert_allclose(explorer.current_frame.responsibilities, expected,
                                   rtol=0, atol=1e-12)
        np.testing.assert_allclose(explorer.artists["points"].get_facecolors()[:, :3],
                                   expected_colors(expected), atol=1e-9)


def test_kmeans_limit_1d_curves_are_gmmlib_responsibilities(X1):
    explorer = gw.KMeansLimitExplorer(X1, [-1.0, 0.0, 1.0], np.geomspace(5.0, 1e-2, 5),
                                      update_weights=True)
    for index in range(5):
        explorer.show(index)
        frame = explorer.current_frame
        grid = explorer.artists["curves"][0].get_xdata()
        expected = responsibilities(grid, frame.weights, frame.means[:, 0],
                                    np.full(3, frame.sigma2))
        drawn = np.array([line.get_ydata() for line in explorer.artists["curves"]]).T
        np.testing.assert_allclose(drawn, expected, rtol=0, atol=1e-12)


def test_no_module_of_gmmlib_is_over_about_500_lines():
    from pathlib import Path

    package = Path(gw.__file__).resolve().parents[1]
    sizes = {path.relative_to(package).as_posix(): len(path.read_text().splitlines())
             for path in package.rglob("*.py")}
    assert {"widgets/history.py", "widgets/animation.py", "widgets/em_explorer.py",
            "widgets/kmeans_limit_explorer.py", "kmeans_limit.py"} <= set(sizes)
    assert max(sizes.values()) <= 520, sorted(sizes.items(), key=lambda item: -item[1])[:3]


# ---------------------------------------------------------------------- issue 12: static animation


def test_animation_frames_have_alt_text_and_the_slider_a_name(X2):
    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3,
                             max_iter=12, tol=0.0, max_frames=5)
    html = explorer.to_html()
    n = len(explorer.history) - 1
    img = re.search(r'<img id="_anim_img\w+" alt="([^"]+)">', html)
    assert img, "the frame image needs alt text"
    assert img.group(1).startswith(f"EM iteration 0 of {n}: 3 full-covariance components")
    assert re.search(r'<input id="_anim_slider\w+" aria-label="[^"]+"', html)
    # one alt text per frame, in frame order, for the script that follows the frame shown
    alts = json.loads(re.search(r"var alts = (\[.*?\]);", html).group(1))
    frames = _frame_indices(len(explorer.history), 5)
    assert len(alts) == len(animation_frames(html)) == 5
    for alt, index in zip(alts, frames):
        entry = explorer.history[index]
        assert alt.startswith(f"EM iteration {entry.iteration} of {n}:")
        assert f"{entry.log_likelihood:.4f}" in alt
        assert f"({entry.means[0][0]:.2f}, {entry.means[0][1]:.2f})" in alt
    # every button has a name; the icons are hidden from screen readers
    buttons = re.findall(r"<button[^>]*>", html)
    assert len(buttons) == 9 and all('aria-label="' in button for button in buttons)
    assert html.count('aria-hidden="true"') == 9


def test_animation_has_a_print_strip_and_offers_it_as_png(X2):
    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3,
                             max_iter=12, tol=0.0)
    bundle = explorer._repr_mimebundle_()
    html = bundle["text/html"]
    live, strip = html.split('<figure class="gmm-print-strip">')
    assert live.startswith('<div class="gmm-animation-live">') and "new Animation(frames" in live
    assert "new Animation" not in strip
    img = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"', strip)
    assert img, "the strip is one image with alt text"
    caption = re.search(r"<figcaption>(.*?)</figcaption>", strip, re.S).group(1)
    assert "EM iteration 0" in caption and "EM iteration 12" in caption
    assert "online book" in caption and "notebook" in caption
    assert img.group(2).startswith("4 frames of the animation")
    png = base64.b64decode(bundle["image/png"])
    assert png == base64.b64decode(img.group(1)), "LaTeX gets the same strip"
    from PIL import Image
    import io

    picture = Image.open(io.BytesIO(png))
    frame = Image.open(io.BytesIO(base64.b64decode(animation_frames(html)[0].replace("\\\n", ""))))
    # 2 x 2 frames, drawn at a higher resolution than the screen frames so text reads on paper
    assert picture.width > 2 * frame.width and picture.height > 2 * frame.height
    assert abs(picture.width / picture.height - 2 * frame.width / (2 * frame.height)) < 0.05
    assert len(html) < 3_000_000


def test_kmeans_limit_animation_is_accessible_and_printable(X2):
    explorer = gw.KMeansLimitExplorer(X2, X2[[0, 60, 120]], np.geomspace(10.0, 1e-2, 8))
    html = explorer.to_html()
    assert re.search(r'<img id="_anim_img\w+" alt="Shared variance sigma squared = 10 ', html)
    assert '<figure class="gmm-print-strip">' in html and "<figcaption>" in html
    assert "image/png" in explorer._repr_mimebundle_()


def test_the_book_uses_the_animation_in_html_and_the_strip_in_latex(X2):
    """myst-nb's mime priority with the book's overrides (_config.yml) picks text/html for
    the HTML build and the image/png strip for LaTeX."""
    import yaml
    from pathlib import Path

    from myst_nb.core.render import get_mime_priority

    root = Path(gw.__file__).resolve().parents[2]
    config = yaml.safe_load((root / "_config.yml").read_text())["sphinx"]["config"]
    overrides = config.get("nb_mime_priority_overrides", [])
    bundle = gw.EMExplorer(X2, n_components=2)._repr_mimebundle_()

    def chosen(builder):
        priority = get_mime_priority(builder, overrides)
        return next(mimetype for mimetype in priority if mimetype in bundle)

    assert chosen("html") == "text/html"
    assert chosen("latex") == "image/png"


def test_in_a_kernel_the_other_frames_render_in_the_background_then_the_browser_switches(X2):
    """In a live kernel (an event loop running), touching the slider renders every other frame
    between messages and then links slider -> Stack in the browser, so that Play and the
    arrow keys switch pictures without the kernel: picture == slider at every tick."""
    import asyncio

    explorer = gw.EMExplorer(X2, n_components=3, init_params="random_from_data", random_state=3)
    reference = gw.EMExplorer(X2, n_components=3, init_params="random_from_data",
                              random_state=3)
    n = len(explorer.history)
    assert sum(bool(image.value) for image in explorer.frames_view.children) == 1, (
        "without a reader only the opening frame is rendered (small saved widget state)")

    async def touch_and_wait():
        explorer.iteration_slider.value = 1
        for _ in range(2000):
            if explorer.frames_linked:
                return
            await asyncio.sleep(0.005)

    asyncio.run(touch_and_wait())
    assert explorer.frames_linked, "the background rendering never finished"
    link = explorer._frames_link
    assert link.source == (explorer.iteration_slider, "value")
    assert link.target == (explorer.frames_view, "selected_index")
    assert explorer.play_link.target == (explorer.iteration_slider, "value")
    assert explorer.current_frame.index == 1, "background renders leave the shown frame drawn"
    for index in range(n):
        reference.show(index)
        assert explorer.frames_view.children[index].value == reference.image.value, index
    # a refit starts over: new frames, no link until they are rendered again
    explorer.k_widget.value = 2
    assert not explorer.frames_linked
    assert len(explorer.frames_view.children) == len(explorer.history)

    async def refit_and_wait():
        explorer.k_widget.value = 4  # in the kernel: the new frames render in the background
        for _ in range(2000):
            if explorer.frames_linked:
                return
            await asyncio.sleep(0.005)

    asyncio.run(refit_and_wait())
    assert explorer.frames_linked and explorer.current_frame.means.shape == (4, 2)
    assert all(image.value for image in explorer.frames_view.children)


def test_without_a_kernel_loop_frames_render_on_demand(X2):
    explorer = gw.KMeansLimitExplorer(X2, X2[[0, 60, 120]], np.geomspace(10.0, 1e-2, 6))
    explorer.sigma2_slider.index = 3
    rendered = [bool(image.value) for image in explorer.frames_view.children]
    assert rendered == [True, False, False, True, False, False] and not explorer.frames_linked
    assert explorer.frames_view.selected_index == 3 and explorer.image is explorer.frames_view.children[3]
