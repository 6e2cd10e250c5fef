# A correct A3, written independently of the solution.

def assign_clusters(X, centers):
    X, centers = np.asarray(X, dtype=float), np.asarray(centers, dtype=float)
    distances = np.linalg.norm(X[:, None, :] - centers[None, :, :], axis=2)
    return distances.argmin(axis=1)


def update_centers(X, labels, centers):
    X = np.asarray(X, dtype=float)
    result = np.array(centers, dtype=float)
    for k in np.unique(labels):
        if 0 <= k < len(result):
            result[k] = X[np.asarray(labels) == k].mean(axis=0)
    return result


def kmeans(X, init_centers, max_iter=100):
    X = np.asarray(X, dtype=float)
    centers = np.asarray(init_centers, dtype=float).copy()
    previous, objectives = None, []
    for _ in range(max_iter):
        labels = assign_clusters(X, centers)
        if previous is not None and (labels == previous).all():
            break
        centers = update_centers(X, labels, centers)
        objectives.append(float(((X - centers[labels]) ** 2).sum()))
        previous = labels
    return centers, assign_clusters(X, centers), objectives


def kmeans_plusplus(X, K, rng):
    X = np.asarray(X, dtype=float)
    picks = [int(rng.integers(0, len(X)))]
    while len(picks) < K:
        d2 = np.min(((X[:, None, :] - X[picks][None, :, :]) ** 2).sum(axis=2), axis=1)
        picks.append(int(rng.choice(len(X), p=d2 / d2.sum())))
    return X[picks]


def soft_assignments(X, centers, sigma2):
    a = -((np.asarray(X)[:, None, :] - np.asarray(centers)[None, :, :]) ** 2).sum(axis=2) / (2 * sigma2)
    a = a - a.max(axis=1, keepdims=True)
    return np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
