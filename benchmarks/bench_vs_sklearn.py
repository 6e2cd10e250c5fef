"""Time gmmlib.GaussianMixture against sklearn.mixture.GaussianMixture.

Both fit the same data from the same initial parameters for the same number of EM
iterations (tol=0, so neither stops early).  Runs alternate between the libraries in one
process, so a noisy, shared machine slows both alike; the script prints the median time
ratio gmmlib / scikit-learn per covariance type and the largest relative difference in
the fitted parameters, once with the BLAS's default threads and once limited to one
thread (threadpoolctl, in-process, which limits both libraries alike).  ``--memory``
fits a large data set in a child process per covariance type and reports its peak
resident memory.

    python benchmarks/bench_vs_sklearn.py                      # the issue's target setting
    python benchmarks/bench_vs_sklearn.py --types full --repeats 7
    python benchmarks/bench_vs_sklearn.py --memory --n-samples 2000000

OpenBLAS reads OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE from the environment; where they are
set (some machines set them to work around a processor) numpy can pick a slower kernel.
For benchmarking only, unset both together in the command, e.g.
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_vs_sklearn.py``;
the script prints the kernel (architecture) threadpoolctl reports.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import gmmlib

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def make_data(n_samples, n_features, n_components, seed=0):
    """Separated Gaussian clusters with random correlations."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(n_components, size=n_samples)
    centres = rng.normal(scale=4.0, size=(n_components, n_features))
    mixing = rng.normal(size=(n_components, n_features, n_features)) / np.sqrt(n_features)
    X = rng.normal(size=(n_samples, n_features))
    for k in range(n_components):
        members = labels == k
        X[members] = X[members] @ mixing[k] + centres[k]
    return X


def initial_parameters(X, n_components, covariance_type, seed=0):
    """Starting parameters shared by both libraries: k-means++ seeds and the pooled spread."""
    from sklearn.mixture import GaussianMixture

    starter = GaussianMixture(n_components, covariance_type=covariance_type,
                              init_params="k-means++", max_iter=1, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        starter.fit(X[:20000])
    return {"weights_init": starter.weights_, "means_init": starter.means_,
            "precisions_init": starter.precisions_}


def time_fit(cls, X, n_components, covariance_type, n_iter, initial):
    model = cls(n_components, covariance_type=covariance_type, tol=0.0, max_iter=n_iter,
                **initial)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol=0 never "converges": that is the point here
        start = time.perf_counter()
        model.fit(X)
        elapsed = time.perf_counter() - start
    return elapsed, model


def max_relative_difference(ours, theirs):
    worst = 0.0
    for name in ("weights_", "means_", "covariances_"):
        a, b = getattr(ours, name), getattr(theirs, name)
        worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))))
    return worst


THREAD_SETTINGS = ("default", "1 thread")


def blas_description():
    """The BLAS libraries loaded, their kernels and thread counts, and the OpenBLAS variables."""
    blas = [f"{info['internal_api']} {info.get('version')} {info.get('architecture')} "
            f"x{info['num_threads']}" for info in threadpool_info() if info["user_api"] == "blas"]
    variables = {name: os.environ.get(name) for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    return f"BLAS: {'; '.join(blas)}; {variables}"


def thread_limit(setting):
    return threadpool_limits(1) if setting == "1 thread" else contextlib.nullcontext()


def compare(args):
    from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

    X = make_data(args.n_samples, args.n_features, args.n_components)
    print(f"N={args.n_samples} d={args.n_features} K={args.n_components} "
          f"iterations={args.n_iter} repeats={args.repeats} (median of alternating runs)")
    print(blas_description())
    print(f"{'covariance':<10} {'threads':<9} {'gmmlib s':>9} {'sklearn s':>9} {'ratio':>7} "
          f"{'max rel diff':>13}")
    for covariance_type in args.types:
        initial = initial_parameters(X, args.n_components, covariance_type)
        times = {(setting, lib): [] for setting in THREAD_SETTINGS for lib in ("ours", "theirs")}
        ratios = {setting: [] for setting in THREAD_SETTINGS}
        worst = {setting: 0.0 for setting in THREAD_SETTINGS}
        for _ in range(args.repeats):
            for setting in THREAD_SETTINGS:  # alternate settings too, so load drifts hit both
                with thread_limit(setting):
                    ours_t, ours = time_fit(gmmlib.GaussianMixture, X, args.n_components,
                                            covariance_type, args.n_iter, initial)
                    their_t, theirs = time_fit(SklearnGaussianMixture, X, args.n_components,
                                               covariance_type, args.n_iter, initial)
                times[setting, "ours"].append(ours_t)
                times[setting, "theirs"].append(their_t)
                ratios[setting].append(ours_t / their_t)
                worst[setting] = max(worst[setting], max_relative_difference(ours, theirs))
        for setting in THREAD_SETTINGS:
            print(f"{covariance_type:<10} {setting:<9} {np.median(times[setting, 'ours']):9.3f} "
                  f"{np.median(times[setting, 'theirs']):9.3f} {np.median(ratios[setting]):7.2f} "
                  f"{worst[setting]:13.1e}", flush=True)


def peak_memory(args):
    """Fit gmmlib on a large data set in a child process per type; report its peak resident set."""
    data_mib = args.n_samples * args.n_features * 8 / 2**20
    for covariance_type in args.types:
        code = (
            "import resource, warnings, numpy as np, gmmlib, sys\n"
            "sys.path.insert(0, 'benchmarks')\n"
            "from bench_vs_sklearn import make_data\n"
            f"X = make_data({args.n_samples}, {args.n_features}, {args.n_components})\n"
            "warnings.simplefilter('ignore')\n"
            f"gmmlib.GaussianMixture({args.n_components}, covariance_type={covariance_type!r},"
            f" max_iter={args.n_iter}, tol=0, random_state=0).fit(X)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True)
        elapsed = time.perf_counter() - start
        peak_kib = int(result.stdout.split()[-1])
        print(f"{covariance_type:<10} N={args.n_samples} d={args.n_features} "
              f"K={args.n_components}: peak resident {peak_kib / 1024:.0f} MiB (the data alone "
              f"is {data_mib:.0f} MiB), {elapsed:.1f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=200_000)
    parser.add_argument("--n-features", type=int, default=8)
    parser.add_argument("--n-components", type=int, default=10)
    parser.add_argument("--n-iter", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--types", nargs="+", default=list(COVARIANCE_TYPES),
                        choices=COVARIANCE_TYPES)
    parser.add_argument("--memory", action="store_true",
                        help="measure peak memory of one gmmlib fit instead of timing")
    args = parser.parse_args()
    peak_memory(args) if args.memory else compare(args)


if __name__ == "__main__":
    main()
