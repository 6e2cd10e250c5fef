# A correct A6, written independently of the solution: the same answers, different code.

def batch_statistics(X, resp):
    data = np.array(X, dtype=float)
    weights = np.array(resp, dtype=float)
    size = data.shape[0]
    first = weights.mean(axis=0)
    second = np.einsum("nk,nd->kd", weights, data) / size
    third = np.stack([(data * weights[:, [k]]).T @ data for k in range(weights.shape[1])]) / size
    return first, second, third


def parameters_from_statistics(s0, s1, S2):
    s0 = np.array(s0, dtype=float)
    means = np.array(s1, dtype=float) / s0[:, np.newaxis]
    covariances = np.array([np.array(S2[k], dtype=float) / s0[k] - np.outer(means[k], means[k])
                            for k in range(len(s0))])
    return s0 / np.sum(s0), means, covariances


def statistics_from_parameters(weights, means, covariances):
    w = np.array(weights, dtype=float)
    w = w / w.sum()
    m = np.array(means, dtype=float)
    c = np.array(covariances, dtype=float)
    second = np.array([w[k] * (c[k] + np.outer(m[k], m[k])) for k in range(len(w))])
    return w, w[:, np.newaxis] * m, second


def step_size(t, step_offset, step_decay):
    if step_decay <= 0.5 or step_decay > 1:
        raise ValueError("step_decay has to lie in (0.5, 1] for the Robbins-Monro conditions to hold")
    return 1.0 / (t + step_offset) ** step_decay


def _one_online_step(statistics, parameters, batch, t, step_offset, step_decay):
    resp = gmmlib.responsibilities(batch, *parameters)
    eta = step_size(t, step_offset, step_decay)
    fresh = batch_statistics(batch, resp)
    statistics = tuple(old + eta * (new - old) for old, new in zip(statistics, fresh))
    return statistics, parameters_from_statistics(*statistics)


def online_em(batches, weights, means, covariances, step_offset=2.0, step_decay=0.6):
    parameters = (weights, means, covariances)
    statistics = statistics_from_parameters(*parameters)
    t = 0
    for batch in batches:
        t = t + 1
        statistics, parameters = _one_online_step(statistics, parameters, np.asarray(batch, dtype=float),
                                                  t, step_offset, step_decay)
    return parameters


def online_em_epochs(X, weights, means, covariances, batch_size, n_epochs, random_state=0,
                     step_offset=2.0, step_decay=0.6):
    data = np.array(X, dtype=float)
    generator = np.random.RandomState(random_state)
    parameters = (weights, means, covariances)
    statistics = statistics_from_parameters(*parameters)
    steps, history = 0, []
    n_batches = int(np.ceil(len(data) / batch_size))
    for epoch in range(n_epochs):
        shuffled = data[generator.permutation(len(data))]
        for b in range(n_batches):
            steps += 1
            statistics, parameters = _one_online_step(statistics, parameters,
                                                      shuffled[b * batch_size:(b + 1) * batch_size],
                                                      steps, step_offset, step_decay)
        history.append(float(gmmlib.mixture_logpdf(data, *parameters).mean()))
    return parameters[0], parameters[1], parameters[2], history
