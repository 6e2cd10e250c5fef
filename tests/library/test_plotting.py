"""plot_gmm_2d: the aspect behaviour is a parameter whose default keeps equal axes."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gmmlib.plotting import plot_gmm_2d  # noqa: E402

X = np.random.default_rng(0).normal(size=(40, 2)) * [1.0, 5.0]
PARAMETERS = ([0.5, 0.5], [[0.0, 0.0], [1.0, 5.0]], [np.eye(2), np.diag([1.0, 25.0])])


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def test_the_default_draws_equal_axes_by_widening_the_data_limits(ax):
    plot_gmm_2d(ax, X, *PARAMETERS)
    assert ax.get_aspect() == 1.0 and ax.get_adjustable() == "datalim"


@pytest.mark.parametrize("aspect, adjustable, expected",
                         [("auto", "datalim", "auto"), (2.0, "box", 2.0), ("equal", "box", 1.0)])
def test_aspect_and_adjustable_are_passed_on(ax, aspect, adjustable, expected):
    plot_gmm_2d(ax, X, *PARAMETERS, aspect=aspect, adjustable=adjustable)
    assert ax.get_aspect() == expected and ax.get_adjustable() == adjustable


def test_aspect_none_leaves_the_callers_setting(ax):
    ax.set_aspect(3.0, adjustable="box")
    plot_gmm_2d(ax, X, *PARAMETERS, aspect=None)
    assert ax.get_aspect() == 3.0 and ax.get_adjustable() == "box"


def test_equal_aspect_works_on_axes_that_share_limits():
    figure, (left, right) = plt.subplots(1, 2, sharex=True, sharey=True)
    try:
        for axes in (left, right):
            plot_gmm_2d(axes, X, *PARAMETERS, adjustable="box")
        figure.canvas.draw()  # 'datalim' with shared x and y axes raises here
        assert left.get_aspect() == right.get_aspect() == 1.0
    finally:
        plt.close(figure)
