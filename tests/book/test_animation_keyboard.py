"""The static EM animation in a real browser: keyboard only, alt text that follows the frame,
offline, and the print strip that replaces the player on paper (issue 12).

Needs Chromium (``make browser``) but not the built book: the page is the animation's own HTML
with the book's stylesheet.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("ipywidgets")

from gmmlib import GaussianMixture  # noqa: E402
from gmmlib.widgets import em_animation  # noqa: E402

BOOK_CSS = Path(__file__).resolve().parents[2] / "book" / "_static" / "book.css"


@pytest.fixture(scope="module")
def animation_page(browser):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([0, 0], 1, (50, 2)), rng.normal([5, 1], 0.7, (50, 2))])
    gm = GaussianMixture(2, init_params="random_from_data", random_state=3, max_iter=6,
                         tol=0.0).fit(X)
    html = em_animation(gm, X)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()
    page.set_content(f'<!DOCTYPE html><html lang="en"><head><title>EM animation</title>'
                     f"<style>{BOOK_CSS.read_text()}</style></head>"
                     f"<body><main>{html}</main></body></html>")
    page.wait_for_function("document.querySelector('.animation img').src.startsWith('data:')")
    page.requests = requests
    yield page
    context.close()


def frame_state(page):
    return page.evaluate("""() => {
        const img = document.querySelector('.animation img');
        const slider = document.querySelector('.animation input[type=range]');
        return {src: img.getAttribute('src'), alt: img.getAttribute('alt'),
                value: slider.value, valuetext: slider.getAttribute('aria-valuetext'),
                active: document.activeElement.id || document.activeElement.title};
    }""")


def test_keyboard_alone_scrubs_and_steps_with_alt_text_following(animation_page):
    page = animation_page
    page.focus("body")
    page.keyboard.press("Tab")
    start = frame_state(page)
    assert start["active"].startswith("_anim_slider"), "Tab reaches the slider first"
    assert start["alt"].startswith("EM iteration 0 of 6:")
    page.keyboard.press("ArrowRight")
    after = frame_state(page)
    assert after["value"] == "1" and after["src"] != start["src"]
    assert after["alt"].startswith("EM iteration 1 of 6:") and after["valuetext"] == after["alt"]
    for _ in range(12):  # Tab on to the "Next frame" button
        page.keyboard.press("Tab")
        if frame_state(page)["active"] == "Next frame":
            break
    assert frame_state(page)["active"] == "Next frame", "every button is reachable by Tab"
    page.keyboard.press("Enter")
    assert frame_state(page)["alt"].startswith("EM iteration 2 of 6:")
    page.keyboard.press("Space")
    state = frame_state(page)
    assert state["value"] == "3" and state["alt"].startswith("EM iteration 3 of 6:")
    assert page.requests == [], f"the animation fetched {page.requests}: it must work offline"


def test_print_shows_the_strip_and_hides_the_player(animation_page):
    page = animation_page
    display = ("() => [getComputedStyle(document.querySelector('.gmm-animation-live')).display,"
               " getComputedStyle(document.querySelector('.gmm-print-strip')).display]")
    page.emulate_media(media="screen")
    assert page.evaluate(display) == ["block", "none"]
    page.emulate_media(media="print")
    live, strip = page.evaluate(display)
    assert live == "none" and strip != "none"
    caption = page.inner_text(".gmm-print-strip figcaption")
    assert re.search(r"online book", caption) and "notebook" in caption
    natural = page.evaluate("document.querySelector('.gmm-print-strip img').naturalWidth")
    assert natural > 1000, "the strip image loaded (a data: URL, no network)"
    page.emulate_media(media="screen")
