"""Accessibility of the built book (issue 12): WCAG 2.1 AA, alt text, keyboard use, dark mode.

* axe-core (a pinned version from npm, vendored by ``make axe``; the test server serves it and
  each test injects it) checks every page in the light and the dark theme with the WCAG 2.0 and
  2.1 A and AA rules.  No serious or critical violation is allowed.
* Every ``<img>`` of every page has alt text that says what it shows (not a file name).
* A keyboard-only reader reaches the page's controls with Tab, sees where the focus is, and
  opens the solution dropdowns and the header menus with Enter or Space.
* In the dark theme figures sit on the page without a light box around them, and whatever is
  ink in the light theme (axes, labels, ticks, legends, data) still contrasts with the page.

Rules switched off: none.  (Should one ever be, list it in ``DISABLED_RULES`` with the reason;
nothing a reader actually meets may be switched off.)

The animation players (``div.animation``, matplotlib's jshtml player as ``gmmlib.widgets``
post-processes it: alt text on every frame, named slider and buttons) are checked by their own
tests below, so that a failure there names the player rather than the page.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from booksite import AXE_SCRIPT, AXE_URL_PATH, SITE, bullet, expect, open_page, site_pages

PAGES = site_pages() or ["(book not built)"]
CONTENT_PAGES = [p for p in PAGES if p != "index.html"]  # index.html only redirects
CHAPTERS = [p for p in CONTENT_PAGES if re.match(r"book/\d\d_", p)]
ANIMATED_PAGES = [
    p for p in CONTENT_PAGES if (SITE / p).is_file() and 'class="animation"' in (SITE / p).read_text("utf8")
]
MODES = ["light", "dark"]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
DISABLED_RULES: dict[str, str] = {}  # rule id -> why it is off; see the module docstring
ANIMATION = "div.animation"

# Photographs keep their colours in the dark theme (on a light card): the chapters mark them
# with this class in the cell's image metadata (see book/_static/a11y.css).
NATURAL_COLOURS = "gmm-natural-colours"
GENERIC_ALT = {"png", "jpg", "svg", "output", "image", "img", "figure", "plot", "graph", "chart", "picture"}
IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|svg|webp)\b", re.IGNORECASE)
MIN_ALT_WORDS = 5




# ----------------------------------------------------------------------------- axe-core

_RUN_AXE_JS = """
async ({context, tags, disabled}) => {
  const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, help: v.help,
    nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '),
                              html: n.html.slice(0, 160), summary: (n.failureSummary || '').slice(0, 300)})),
  }));
}
"""


def axe_violations(page, base_url: str, context) -> list[str]:
    """Serious and critical axe-core violations on ``page`` within ``context``, one line per node."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make axe` (tools/fetch_axe.py)", pytrace=False)
    page.add_script_tag(url=base_url + AXE_URL_PATH)
    violations = page.evaluate(_RUN_AXE_JS, {"context": context, "tags": AXE_TAGS, "disabled": list(DISABLED_RULES)})
    return [
        f"{v['id']} ({node['impact']}): {v['help']}\n      at {node['target']}: {node['html']}\n"
        f"      {node['summary']}".replace("\n  ", "\n        ")
        for v in violations
        for node in v["nodes"]
        if node["impact"] in BLOCKING_IMPACTS
    ]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_no_serious_axe_violation(site, browser, base_url, path, mode):
    with open_page(browser, base_url, path, mode) as page:
        theme = page.evaluate("document.documentElement.dataset.theme")
        expect(theme == mode, f"{path}: asked for the {mode} theme, the page shows {theme!r}")
        found = axe_violations(page, base_url, {"exclude": [[ANIMATION]]})
    expect(not found, (
        f"{path} ({mode} theme): {len(found)} serious or critical WCAG 2.1 A/AA violation(s) (axe-core):\n"
        f"{bullet(found, 15)}"
    ))


@pytest.mark.parametrize("path", ANIMATED_PAGES or [None])
def test_animation_players_pass_axe(site, browser, base_url, path):
    assert path, "no page of the built book has an animation player (chapters 4, 6 and 7 should)"
    with open_page(browser, base_url, path, "light") as page:
        found = axe_violations(page, base_url, {"include": [[ANIMATION]]})
    expect(not found, f"{path}: animation players:\n{bullet(found, 15)}")


# ----------------------------------------------------------------------------- alt text

class _ImageCollector(HTMLParser):
    """Every ``<img>`` of a page with its attributes, and whether it is inside an animation player."""

    def __init__(self):
        super().__init__()
        self.div_is_animation: list[bool] = []
        self.images: list[tuple[dict, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            self.div_is_animation.append("animation" in (attrs.get("class") or "").split())
        elif tag == "img":
            self.images.append((attrs, any(self.div_is_animation)))

    def handle_startendtag(self, tag, attrs):
        if tag == "img":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "div" and self.div_is_animation:
            self.div_is_animation.pop()


def page_images(path: str) -> list[tuple[dict, bool]]:
    collector = _ImageCollector()
    collector.feed((SITE / path).read_text(encoding="utf8"))
    return collector.images


def alt_problem(alt: str | None) -> str | None:
    """Why ``alt`` does not describe an image, or None when it plausibly does."""
    if alt is None:
        return "no alt attribute"
    text = alt.strip()
    if not text:
        return "empty alt"
    if IMAGE_FILE.search(text) or ("/" in text and " " not in text):
        return "alt is a file name"
    if text.lower().strip(".") in GENERIC_ALT:
        return "alt is a generic word"
    if len(text.split()) < MIN_ALT_WORDS:
        return f"alt has fewer than {MIN_ALT_WORDS} words: it cannot say what the figure shows"
    return None


def describe(attrs: dict) -> str:
    src = attrs.get("src") or ""
    src = src[:40] + "..." if src.startswith("data:") else src
    return f"{src} alt={attrs.get('alt')!r}"


def test_alt_check_rejects_what_a_reader_cannot_use():
    assert alt_problem(None) and alt_problem("  ") and alt_problem("../_images/abc123.png")
    assert alt_problem("output") and alt_problem("PNG") and alt_problem("A plot")
    assert alt_problem(None) == "no alt attribute"
    assert alt_problem("A histogram of two humps with a single bell curve between them.") is None
    assert icon_alt_problem("Binder logo") is None and icon_alt_problem("logo.png")


def is_theme_icon(attrs: dict) -> bool:
    """The theme's own small icons (Binder and Colab logos, index togglers) come from _static/."""
    return "_static/" in (attrs.get("src") or "")


def icon_alt_problem(alt: str | None) -> str | None:
    """An icon needs a name (e.g. "Binder logo"), not a description of a figure."""
    problem = alt_problem(alt)
    return None if problem and problem.startswith("alt has fewer") else problem


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_every_image_has_descriptive_alt_text(site, path):
    bad = []
    for attrs, in_player in page_images(path):
        check = icon_alt_problem if is_theme_icon(attrs) else alt_problem
        if not in_player and check(attrs.get("alt")):
            bad.append(f"{describe(attrs)}: {check(attrs.get('alt'))}")
    expect(not bad, (
        f"{path}: {len(bad)} image(s) without alt text that says what they show. Give the figure cell "
        "`mystnb: image: alt: ...` metadata (one or two sentences on what a sighted reader learns):\n"
        f"{bullet(bad)}"
    ))


@pytest.mark.parametrize("path", ANIMATED_PAGES or [None])
def test_animation_frames_have_alt_text(site, path):
    assert path, "no page of the built book has an animation player (chapters 4, 6 and 7 should)"
    bad = [describe(a) for a, in_player in page_images(path) if in_player and alt_problem(a.get("alt"))]
    expect(not bad, f"{path}: animation frames without alt text:\n{bullet(bad)}")


# ----------------------------------------------------------------------------- keyboard

_FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const rect = el.getBoundingClientRect();
  const label = (el.getAttribute('aria-label') || el.getAttribute('title') || el.textContent || '').trim().replace(/\\s+/g, ' ');
  return {
    tag: el.tagName.toLowerCase(), classes: el.className && el.className.baseVal === undefined ? el.className : '',
    label: label.slice(0, 60), href: el.getAttribute('href') || '',
    indicator: outline || !!shadow,
    onScreen: rect.width > 0 && rect.height > 0,
    context: (() => { const names = []; for (let n = el; n; n = n.parentElement)
                        names.push(n.id || '', typeof n.className === 'string' ? n.className : ''); return names.join(' '); })(),
    path: (() => { const parts = []; for (let n = el; n && n !== document.body; n = n.parentElement)
                     parts.push(n.tagName.toLowerCase() + (n.id ? '#' + n.id : '')); return parts.reverse().join('>'); })(),
  };
}
"""

# What a reader must be able to reach by Tab on a chapter page: (what, test on the focused element).
MAIN_CONTROLS = {
    "skip-to-content link": lambda f: "pst-skip-link" in f["context"],
    "the sidebar's chapter links": lambda f: "bd-links" in f["context"] and f["tag"] == "a",
    "the download menu": lambda f: "dropdown-download-buttons" in f["context"] and f["tag"] == "button",
    "the launch menu (Binder, Colab)": lambda f: "dropdown-launch-buttons" in f["context"] and f["tag"] == "button",
    "the theme switcher": lambda f: "theme-switch-button" in f["classes"],
    "search": lambda f: "search-button" in f["classes"],
    "a solution toggle": lambda f: "solution" in f["context"] and f["tag"] in ("button", "summary"),
    "a folded code cell": lambda f: "tag_hide-input" in f["context"] and f["tag"] == "summary",
    "the next-chapter link": lambda f: "right-next" in f["classes"],
}
KEYBOARD_PAGE = "book/04_em_algorithm.html"  # has header menus, solutions, and previous/next links
MAX_TABS = 1500


def tab_through(page) -> list[dict]:
    """Press Tab from the top of the page until focus comes back round; every element focused."""
    focused, seen = [], set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        info = page.evaluate(_FOCUS_JS)
        if info is None:
            if focused:
                break
            continue
        key = (info["path"], info["label"], info["href"])
        if key in seen and focused and key == (focused[0]["path"], focused[0]["label"], focused[0]["href"]):
            break
        seen.add(key)
        focused.append(info)
    return focused


@pytest.mark.parametrize("mode", MODES)
def test_keyboard_reaches_every_main_control_with_a_visible_focus(site, browser, base_url, mode):
    expect((SITE / KEYBOARD_PAGE).is_file(), f"{KEYBOARD_PAGE} was not built")
    with open_page(browser, base_url, KEYBOARD_PAGE, mode) as page:
        focused = tab_through(page)
    unreached = [name for name, matches in MAIN_CONTROLS.items() if not any(matches(f) for f in focused)]
    expect(not unreached, (
        f"{KEYBOARD_PAGE} ({mode}): Tab never reached:\n{bullet(unreached)}\n"
        f"it focused {len(focused)} element(s), e.g.:\n{bullet([f['path'] + ' ' + f['label'] for f in focused], 40)}"
    ))
    invisible = [f"{f['path']} {f['label']!r}" for f in focused if not f["indicator"]]
    expect(not invisible, (
        f"{KEYBOARD_PAGE} ({mode}): {len(invisible)} focused element(s) show no focus indicator "
        f"(no outline, no box-shadow):\n{bullet(invisible)}"
    ))
    offscreen = [f"{f['path']} {f['label']!r}" for f in focused if not f["onScreen"]]
    expect(not offscreen, f"{KEYBOARD_PAGE} ({mode}): Tab focused invisible element(s):\n{bullet(offscreen)}")


_SOLUTION_STATE_JS = """
(toggle) => {
  const details = toggle.closest('details');
  if (details) return details.open;
  const body = toggle.closest('.admonition, .dropdown').querySelector('.admonition-title ~ *, section');
  return !!body && body.getBoundingClientRect().height > 0 && getComputedStyle(body).visibility !== 'hidden'
         && !toggle.closest('.admonition, .dropdown').classList.contains('toggle-hidden');
}
"""


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_solution_dropdowns_open_and_close_from_the_keyboard(site, browser, base_url, key):
    with open_page(browser, base_url, KEYBOARD_PAGE) as page:
        toggles = page.query_selector_all("details.dropdown > summary, .solution button.toggle-button, "
                                          "details.toggle-details > summary")
        expect(toggles, f"{KEYBOARD_PAGE}: no solution dropdown found")
        toggle = toggles[0]
        closed = page.evaluate(_SOLUTION_STATE_JS, toggle)
        expect(not closed, f"{KEYBOARD_PAGE}: the first solution is open before anything was pressed")
        toggle.focus()
        page.keyboard.press(key)
        page.wait_for_timeout(400)
        expect(page.evaluate(_SOLUTION_STATE_JS, toggle), f"{KEYBOARD_PAGE}: {key} did not open the solution")
        page.keyboard.press(key)
        page.wait_for_timeout(400)
        expect(not page.evaluate(_SOLUTION_STATE_JS, toggle), f"{KEYBOARD_PAGE}: {key} did not close the solution again")


@pytest.mark.parametrize("menu, item", [("download", ".ipynb"), ("launch", "mybinder.org")])
def test_header_menus_open_from_the_keyboard(site, browser, base_url, menu, item):
    with open_page(browser, base_url, KEYBOARD_PAGE) as page:
        button = page.query_selector(f".dropdown-{menu}-buttons > button")
        expect(button, f"{KEYBOARD_PAGE}: no {menu} menu button")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        links = page.eval_on_selector_all(
            f".dropdown-{menu}-buttons .dropdown-menu a",
            "els => els.filter(a => a.getBoundingClientRect().height > 0).map(a => a.href)")
        expect(any(item in link for link in links), f"{KEYBOARD_PAGE}: Enter on the {menu} menu showed {links}")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.href || ''")
        expect(focused in links,
               f"{KEYBOARD_PAGE}: Tab after opening the {menu} menu went to {focused!r}, not a menu item")


# ----------------------------------------------------------------------------- dark mode

# Output images a reader sees on screen: not the print-only strip of an animation (hidden on screen).
FIGURE_IMAGES = "div.cell_output img:not(.gmm-print-strip img)"
_FIGURES_JS = """
() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const backdrop = (el) => {
    for (let n = el.parentElement; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return Array.from(document.querySelectorAll('FIGURES')).map((img, index) => ({
    index, src: (img.getAttribute('src') || '').slice(0, 60),
    natural: img.classList.contains('NATURAL'), page: backdrop(img),
    own: rgb(getComputedStyle(img).backgroundColor),
  }));
}
""".replace("NATURAL", NATURAL_COLOURS).replace("FIGURES", FIGURE_IMAGES)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.1 relative luminance of sRGB colours (last axis: R, G, B in 0..255)."""
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(rgb: np.ndarray, background) -> np.ndarray:
    a, b = relative_luminance(rgb), relative_luminance(np.asarray(background, dtype=float))
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def figure_pixels(page, index: int) -> np.ndarray:
    from PIL import Image

    handle = page.query_selector_all(FIGURE_IMAGES)[index]
    png = handle.screenshot(animations="disabled")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio([0, 0, 0], [255, 255, 255]) == pytest.approx(21.0)
    assert contrast_ratio([118, 118, 118], [255, 255, 255]) == pytest.approx(4.54, abs=0.01)


# Pixels of a figure that are ink in the light theme (axes, labels, ticks, lines, points) must
# keep at least this contrast with the page in the dark theme; the figure's background must
# stay within BLEND of the dark page (no light box).
INK = 3.0
BLEND = 1.3
SHARE = 0.9


@pytest.mark.parametrize("path", CHAPTERS)
def test_figures_read_on_the_dark_page(site, browser, base_url, path):
    with open_page(browser, base_url, path, "light") as light, open_page(browser, base_url, path, "dark") as dark:
        figures_light, figures_dark = light.evaluate(_FIGURES_JS), dark.evaluate(_FIGURES_JS)
        expect(len(figures_light) == len(figures_dark), f"{path}: the two themes show different figures")
        problems = []
        for fig_light, fig_dark in zip(figures_light, figures_dark):
            name = f"figure {fig_light['index'] + 1} ({fig_light['src']}...)"
            if fig_dark["natural"]:
                # A photograph keeps its colours, on a light card so its black titles read.
                card = fig_dark["own"]
                if len(card) < 3 or (len(card) == 4 and card[3] == 0) or relative_luminance(card[:3]) < 0.8:
                    problems.append(f"{name}: a photograph should sit on a light card in the dark theme, "
                                    f"its background is {card}")
                continue
            a, b = figure_pixels(light, fig_light["index"]), figure_pixels(dark, fig_dark["index"])
            if max(abs(a.shape[0] - b.shape[0]), abs(a.shape[1] - b.shape[1])) > 1:
                problems.append(f"{name}: rendered {a.shape[:2]} in light but {b.shape[:2]} in dark")
                continue
            # Sub-pixel layout can round a figure's box one pixel differently in the two themes.
            rows, columns = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
            a, b = a[:rows, :columns], b[:rows, :columns]
            ink = contrast_ratio(a, fig_light["page"]) >= INK
            background = contrast_ratio(a, fig_light["page"]) < 1.05
            kept_ink = np.mean(contrast_ratio(b[ink], fig_dark["page"]) >= INK) if ink.any() else 0.0
            blended = np.mean(contrast_ratio(b[background], fig_dark["page"]) < BLEND) if background.any() else 0.0
            if not ink.any():
                problems.append(f"{name}: no ink at all in the light theme")
            elif kept_ink < SHARE:
                problems.append(f"{name}: only {kept_ink:.0%} of its ink keeps contrast >= {INK} with the dark page")
            if blended < SHARE:
                problems.append(f"{name}: only {blended:.0%} of its background blends with the dark page "
                                "(a light box on a dark page)")
    expect(not problems, f"{path} in the dark theme:\n{bullet(problems, 20)}")
