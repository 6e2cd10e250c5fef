# A correct A4, written independently of the solution.

def n_parameters(K, d):
    means = K * d
    covariances = K * (d * (d + 1) // 2)
    weights = K - 1
    return means + covariances + weights


def information_criteria(model, X):
    n = len(X)
    total_log_likelihood = float(np.sum(model.score_samples(X)))
    k = n_parameters(model.n_components, np.shape(X)[1])
    return k * np.log(n) - 2 * total_log_likelihood, 2 * k - 2 * total_log_likelihood


def choose_k(X, candidates, random_state=0):
    scores = {}
    for K in candidates:
        fitted = gmmlib.GaussianMixture(n_components=K, random_state=random_state).fit(X)
        scores[K] = information_criteria(fitted, X)[0]
    best = sorted(scores, key=lambda K: (scores[K], K))[0]
    return best, scores


def segment_image(image, K, random_state=0):
    h, w, _ = image.shape
    pixels = image.reshape(h * w, 3).astype(float)
    gm = gmmlib.GaussianMixture(n_components=K, random_state=random_state).fit(pixels)
    labels = gm.predict(pixels)
    return gm.means_[labels].reshape(h, w, 3), labels.reshape(h, w)


def smallest_good_k(image, candidates, max_mse, random_state=0):
    good = []
    for K in candidates:
        painted, _ = segment_image(image, K, random_state=random_state)
        if np.mean(((painted - image) * 255) ** 2) <= max_mse:
            good.append(K)
    return min(good) if good else None
