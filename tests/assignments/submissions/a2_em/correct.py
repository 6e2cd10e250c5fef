# A correct A2, written independently of the solution.

def m_step(X, resp):
    X = np.asarray(X, dtype=float)
    resp = np.asarray(resp, dtype=float)
    nk = resp.sum(axis=0)
    means = np.einsum("nk,nd->kd", resp, X) / nk[:, None]
    centred = X[None, :, :] - means[:, None, :]                       # (K, N, d)
    covariances = np.einsum("nk,kni,knj->kij", resp, centred, centred) / nk[:, None, None]
    return nk / len(X), means, covariances


def run_em(X, weights, means, covariances, max_iter=100, tol=1e-6):
    history = [gmmlib.log_likelihood(X, weights, means, covariances)]
    iteration = 0
    while iteration < max_iter:
        r = gmmlib.responsibilities(X, weights, means, covariances)
        weights, means, covariances = m_step(X, r)
        history.append(gmmlib.log_likelihood(X, weights, means, covariances))
        iteration += 1
        if abs(history[-1] - history[-2]) < tol:
            break
    return weights, means, covariances, history


def em_from_gmmlib_start(model, X):
    first = model.history_[0]
    result = run_em(X, first.weights, first.means, first.covariances, max_iter=model.n_iter_, tol=0)
    return result[0], result[1], result[2]
