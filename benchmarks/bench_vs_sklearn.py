"""Time gmmlib.GaussianMixture against sklearn.mixture.GaussianMixture.

Both fit the same data from the same initial parameters for the same number of EM
iterations (tol=0, so neither stops early).  Runs alternate between the libraries in one
process, so a noisy, shared machine slows both alike; the script prints the median time
ratio gmmlib / scikit-learn per covariance type and the largest relative difference in
the fitted parameters.  ``--memory`` fits a large data set in a child process and
reports its peak resident memory.

    python benchmarks/bench_vs_sklearn.py                      # the issue's target setting
    python benchmarks/bench_vs_sklearn.py --types full --repeats 7
    python benchmarks/bench_vs_sklearn.py --memory --n-samples 2000000
"""

import argparse
import resource
import subprocess
import sys
import time
import warnings

import numpy as np

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


def compare(args):
    from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

    X = make_data(args.n_samples, args.n_features, args.n_components)
    print(f"N={args.n_samples} d={args.n_features} K={args.n_components} "
          f"iterations={args.n_iter} repeats={args.repeats} (median of alternating runs)")
    print(f"{'covariance':<10} {'gmmlib s':>9} {'sklearn s':>9} {'ratio':>7} {'max rel diff':>13}")
    for covariance_type in args.types:
        initial = initial_parameters(X, args.n_components, covariance_type)
        ours_times, their_times, ratios = [], [], []
        for _ in range(args.repeats):
            ours_t, ours = time_fit(gmmlib.GaussianMixture, X, args.n_components,
                                    covariance_type, args.n_iter, initial)
            their_t, theirs = time_fit(SklearnGaussianMixture, X, args.n_components,
                                       covariance_type, args.n_iter, initial)
            ours_times.append(ours_t)
            their_times.append(their_t)
            ratios.append(ours_t / their_t)
        print(f"{covariance_type:<10} {np.median(ours_times):9.3f} {np.median(their_times):9.3f} "
              f"{np.median(ratios):7.2f} {max_relative_difference(ours, theirs):13.1e}")


def peak_memory(args):
    """Fit gmmlib on a large data set in a child process; report its peak resident set."""
    code = (
        "import warnings, numpy as np, gmmlib, sys\n"
        "sys.path.insert(0, 'benchmarks')\n"
        "from bench_vs_sklearn import make_data\n"
        f"X = make_data({args.n_samples}, {args.n_features}, {args.n_components})\n"
        "warnings.simplefilter('ignore')\n"
        f"gmmlib.GaussianMixture({args.n_components}, max_iter={args.n_iter}, tol=0,"
        " random_state=0).fit(X)\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    data_mib = args.n_samples * args.n_features * 8 / 2**20
    print(f"N={args.n_samples} d={args.n_features} K={args.n_components}: peak resident "
          f"{peak_kib / 1024:.0f} MiB (the data alone is {data_mib:.0f} MiB), {elapsed:.1f} s")


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
