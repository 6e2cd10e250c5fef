/* Accessibility fixes to the theme's markup (issue 12), applied once the page has loaded.
 * sphinx-book-theme / pydata-sphinx-theme build these controls in their templates; each fix
 * below names what it repairs.  Checked by tests/book/test_accessibility.py (axe-core). */
(function () {
  "use strict";

  /* Icon buttons whose icons carry their own titles (the colour-mode button's "Light", "Dark",
   * "System Settings", which Font Awesome turns into SVG <title>s): drop those titles and hide
   * the icons, so the button's name is its aria-label alone (WCAG 2.5.3 Label in Name). */
  function hideDecorativeIcons() {
    const icons = "button[aria-label] i, button[aria-label] svg";
    document.querySelectorAll(icons).forEach((icon) => {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("title");
      icon.removeAttribute("aria-labelledby");
    });
    document.querySelectorAll("button[aria-label] svg title").forEach((title) => title.remove());
  }

  /* The search field button shows "Search Ctrl+K" but was named only "Search": let its visible
   * text name it, and announce the shortcut the proper way (WCAG 2.5.3). */
  function nameSearchButtonsByTheirText() {
    document.querySelectorAll(".search-button-field[aria-label]").forEach((button) => {
      button.removeAttribute("aria-label");
      button.setAttribute("aria-keyshortcuts", "Control+K");
    });
  }

  /* Folded code cells (myst-nb): the <summary> shows "Show code cell source" but was named
   * "Toggle hidden content"; its visible text is the better name (WCAG 2.5.3). */
  function nameFoldedCellsByTheirText() {
    document.querySelectorAll("details > summary[aria-label]").forEach((summary) => {
      if (summary.textContent.trim()) summary.removeAttribute("aria-label");
    });
  }

  /* Bibliography entries: docutils marks them role="doc-biblioentry", which DPUB-ARIA 1.1
   * deprecates in favour of listitem; axe-core (rightly) no longer counts them as items of
   * their role="list" parent (WCAG 1.3.1). */
  function bibliographyEntriesAsListItems() {
    document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]').forEach((entry) => {
      entry.setAttribute("role", "listitem");
    });
  }

  function apply() {
    hideDecorativeIcons();
    nameSearchButtonsByTheirText();
    nameFoldedCellsByTheirText();
    bibliographyEntriesAsListItems();
  }

  // Again once everything has loaded: Font Awesome replaces the <i> icons by SVGs on its own time.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", apply);
  } else {
    apply();
  }
  window.addEventListener("load", apply);
})();
