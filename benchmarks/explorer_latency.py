"""Key press to new picture: the EM explorer in a real JupyterLab, driven by Playwright.

Starts JupyterLab on a free local port with a notebook holding chapter 4's explorer
(``explore_em(X, history=corner_fit)``: 300 points, 32 EM iterations), opens it in headless
Chromium, runs the cell, focuses the iteration slider's handle and presses the arrow keys.
For each press it measures, in the page, the time from the ``keydown`` event to the ``load``
event of the image that replaced the old one (the new picture is on screen).

It reports the median and 90th percentile for a first sweep (the first key presses after the
cell ran: frames drawn for the first time, by the kernel) and, after a pause
(``--wait-ms``; gmmlib renders the remaining frames in the background meanwhile), a second
sweep over the same frames, and a Play check: while
Play runs, how many frames behind the slider is the picture on screen (each frame is
recognised by its image bytes, recorded beforehand frame by frame)?

    .venv/bin/python benchmarks/explorer_latency.py
    .venv/bin/python benchmarks/explorer_latency.py --gmmlib /path/to/old/checkout  # "before"

``--gmmlib`` puts another copy of the package first on the kernel's ``PYTHONPATH``, to time
an older version with the same script.  Not a test: the figures depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]

SETUP = """\
import numpy as np
import gmmlib
from gmmlib.datasets import three_blobs
from gmmlib.widgets import explore_em

X, _ = three_blobs(n_samples=300, random_state=0)
start = dict(weights_init=np.full(3, 1 / 3), precisions_init=np.tile(np.eye(2), (3, 1, 1)),
             means_init=np.array([[-3.0, -2.0], [-2.5, -1.5], [-2.0, -2.5]]))
corner_fit = gmmlib.GaussianMixture(3, **start).fit(X)
explorer = explore_em(X, history=corner_fit)
explorer"""

# In the page: time each key press to the load of the image that follows it.
INSTRUMENT = """() => {
  window.__latency = {pressed: null, samples: []};
  document.addEventListener('keydown', () => { window.__latency.pressed = performance.now(); },
                            true);
  document.addEventListener('load', (event) => {
    const state = window.__latency;
    if (event.target.tagName === 'IMG' && state.pressed !== null) {
      state.samples.push(performance.now() - state.pressed);
      state.pressed = null;
    }
  }, true);
}"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(directory):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = Path(directory, "explorer.ipynb")
    nbformat.write(notebook, path)
    return path.name


def start_lab(directory, port, token, gmmlib_path):
    env = dict(os.environ)
    if gmmlib_path:
        env["PYTHONPATH"] = os.pathsep.join([str(gmmlib_path), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={directory}", "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    lab = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=1)
            return lab
        except OSError:
            if lab.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {lab.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
    lab.terminate()
    raise RuntimeError("JupyterLab did not start within 120 s")


def sweep(page, key, presses, settle_ms):
    """Press ``key`` ``presses`` times, each after the previous picture arrived; latencies in ms."""
    page.evaluate("() => { window.__latency.samples = []; }")
    for _ in range(presses):
        count = page.evaluate("window.__latency.samples.length")
        page.keyboard.press(key)
        page.wait_for_function(f"window.__latency.samples.length > {count}", timeout=20_000)
        page.wait_for_timeout(settle_ms)
    return page.evaluate("window.__latency.samples")


SHOWN = """async () => {
  const img = document.querySelector('.jupyter-widgets img');
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let hash = 0;
  for (let i = 0; i < bytes.length; i++) hash = (hash * 31 + bytes[i]) | 0;
  return [hash, parseInt(document.querySelector('.widget-readout').textContent, 10)];
}"""


def frame_table(page, n_frames, settle_ms):
    """{picture hash: slider value} for every frame, stepping down from the last one."""
    table = {}
    for _ in range(n_frames):
        picture, value = page.evaluate(SHOWN)
        table[picture] = value
        count = page.evaluate("window.__latency.samples.length")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"window.__latency.samples.length > {count}", timeout=20_000)
        page.wait_for_timeout(settle_ms)
    picture, value = page.evaluate(SHOWN)
    table[picture] = value
    return table


def play_lag(page, table, seconds=4.0, every_ms=90):
    """Sample (frame on screen, slider value) while Play runs: how many frames behind?"""
    page.click(".widget-play button >> nth=0")
    lags = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        picture, value = page.evaluate(SHOWN)
        if picture in table:
            lags.append(value - table[picture])
        page.wait_for_timeout(every_ms)
    page.click(".widget-play button >> nth=1")
    return lags


def summary(samples):
    samples = sorted(samples)
    p90 = samples[min(len(samples) - 1, int(round(0.9 * (len(samples) - 1))))]
    return f"median {statistics.median(samples):.0f} ms, p90 {p90:.0f} ms (n={len(samples)})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gmmlib", type=Path, help="an older gmmlib checkout to time instead")
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--settle-ms", type=int, default=150,
                        help="pause after each new picture before the next press")
    parser.add_argument("--wait-ms", type=int, default=5000,
                        help="pause between the two sweeps (time for background rendering)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    token = secrets.token_hex(16)
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        name = write_notebook(directory)
        lab = start_lab(directory, port, token, args.gmmlib)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/lab/tree/{name}?token={token}")
                page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor",
                                       timeout=120_000)
                page.wait_for_timeout(3000)  # kernel start
                page.click(".jp-Notebook .jp-Cell .jp-InputArea-editor")
                page.keyboard.press("Shift+Enter")
                page.wait_for_selector(".jupyter-widgets img", timeout=180_000)
                page.wait_for_selector(".noUi-handle", timeout=30_000)
                page.wait_for_timeout(1000)
                page.evaluate(INSTRUMENT)
                page.focus(".noUi-handle")
                first = sweep(page, "ArrowLeft", args.presses, args.settle_ms)
                page.wait_for_timeout(args.wait_ms)
                again = sweep(page, "ArrowRight", args.presses, args.settle_ms)
                page.wait_for_timeout(500)
                last = page.evaluate(SHOWN)[1]
                table = frame_table(page, last, args.settle_ms)
                lags = play_lag(page, table)
                browser.close()
        finally:
            lab.terminate()
            try:
                lab.wait(timeout=20)
            except subprocess.TimeoutExpired:
                lab.kill()
    report = {
        "gmmlib": str(args.gmmlib or ROOT),
        "first sweep (new frames)": summary(first),
        "second sweep (frames seen before)": summary(again),
        "during Play: samples with picture == slider": f"{sum(lag == 0 for lag in lags)} of "
                                                        f"{len(lags)}",
        "during Play: frames behind the slider (each sample)": lags,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
