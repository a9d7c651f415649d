// Alternative (correct, written differently) of exercises/softmax.cpp: the one-pass "online" normaliser
// (running max m with the running sum s rescaled by exp(m_old - m_new) whenever the max grows), as in
// fused attention kernels. The grader must accept it. See tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

namespace {
// After add() of every x: m = max x, s = sum exp(x - m). A -inf entry adds exp(-inf) = 0 and is
// skipped (so that (-inf) - (-inf) never happens while m is still -inf).
struct OnlineNormaliser {
    double m = -INFINITY;
    double s = 0.0;
    void add(double x) {
        if (x == -INFINITY) return;
        if (x > m) {
            s = s * std::exp(m - x) + 1.0;  // rescale the old terms to the new max; exp(x - x) = 1
            m = x;
        } else {
            s += std::exp(x - m);
        }
    }
};

template <typename Row>
OnlineNormaliser normaliser(const Row& z) {
    OnlineNormaliser acc;
    for (Eigen::Index i = 0; i < z.size(); ++i) acc.add(z[i]);
    return acc;
}
}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const OnlineNormaliser acc = normaliser(logits);
    Eigen::VectorXd p(logits.size());
    for (Eigen::Index i = 0; i < logits.size(); ++i) p[i] = std::exp(logits[i] - acc.m) / acc.s;
    return p;
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        const Eigen::RowVectorXd z = logits.row(n);
        const OnlineNormaliser acc = normaliser(z);
        for (Eigen::Index i = 0; i < z.size(); ++i) p(n, i) = std::exp(z[i] - acc.m) / acc.s;
    }
    return p;
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    Eigen::MatrixXd out(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        const Eigen::RowVectorXd z = logits.row(n);
        const OnlineNormaliser acc = normaliser(z);
        const double log_s = std::log(acc.s);
        for (Eigen::Index i = 0; i < z.size(); ++i) out(n, i) = (z[i] - acc.m) - log_s;
    }
    return out;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    if (logits.hasNaN()) validate::fail("log_sum_exp", "logits contain NaN");
    const OnlineNormaliser acc = normaliser(logits);
    if (!std::isfinite(acc.m)) return acc.m;  // all -inf: -inf; a +inf logit: +inf (s may be NaN then)
    return acc.m + std::log(acc.s);
}

}  // namespace celab
