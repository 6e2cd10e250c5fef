"""The book's data sets: the right numbers, shapes and frequencies, nothing downloaded."""

import numpy as np
import pytest

from gmmlib import datasets


def test_seven_point_example_is_the_published_one():
    example = datasets.seven_point_example()
    assert example.X.tolist() == [-3, -2.5, -1, 0, 2, 4, 5]
    assert example.means.tolist() == [-4, 0, 8]
    assert example.variances.tolist() == [1, 0.2, 3]
    assert example.weights.sum() == pytest.approx(1)


def test_sample_mixture_draws_components_in_proportion_to_the_weights():
    weights = [0.5, 0.2, 0.3]
    X, labels = datasets.sample_mixture(20000, weights, [-2, 1, 4], [0.5, 2, 1], random_state=0)
    assert X.shape == (20000,)
    # binomial standard error sqrt(p(1-p)/n) <= 0.0036; allow four of them
    assert np.allclose(np.bincount(labels) / 20000, weights, atol=4 * 0.0036)
    assert X[labels == 0].mean() == pytest.approx(-2, abs=0.05)
    assert X[labels == 1].var() == pytest.approx(2, rel=0.05)


def test_three_blobs_is_two_dimensional_and_reproducible():
    X1, y1 = datasets.three_blobs(120, random_state=4)
    X2, y2 = datasets.three_blobs(120, random_state=4)
    assert X1.shape == (120, 2) and set(y1) == {0, 1, 2}
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


def test_real_data_sets_ship_with_installed_packages():
    X, y, names = datasets.load_wine_data()
    assert X.shape == (178, 13) and len(set(y)) == 3 and len(names) == 13
    X, y, _ = datasets.load_iris_data()
    assert X.shape == (150, 4)


@pytest.mark.parametrize("name", ["china.jpg", "grace_hopper.jpg"])
def test_images_are_rgb_in_the_unit_interval_and_can_be_shrunk(name):
    image = datasets.load_image(name, max_side=100)
    assert image.ndim == 3 and image.shape[2] == 3
    assert max(image.shape[:2]) <= 100
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.max() > 0.5
