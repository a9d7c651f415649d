// Alternative (correct, written differently) of exercises/softmax.cpp: everything from one loop per row
// that keeps a running max m, its index and rest = sum over the other classes of exp(z_j - m) (rescaled by
// exp(m_old - m_new) when the max grows), so that log s = log1p(rest) keeps its digits when rest is tiny.
// log_softmax_rows is (z_i - m) - log1p(rest); softmax is its exp; log_sum_exp is m + log1p(rest).
// The grader must accept it. Used by the grader's self-test: see tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

namespace {
// After add() of every logit: m = the max, rest = sum_{j != argmax} exp(z_j - m), each term in [0, 1].
// A -inf logit adds exp(-inf) = 0 and is skipped, so (-inf) - (-inf) never happens.
struct RowNormaliser {
    double m = -INFINITY;
    double rest = 0.0;
    void add(double x) {
        if (x == -INFINITY) return;
        if (x > m) {
            // the old max becomes one of the other classes: its term exp(0) = 1 and the old rest,
            // rescaled to the new max (by exp(-inf) = 0 for the first finite logit: nothing came before)
            rest = (rest + 1.0) * std::exp(m - x);
            m = x;
        } else {
            rest += std::exp(x - m);
        }
    }
    double log_s() const { return std::log1p(rest); }
};

template <typename Row>
RowNormaliser normaliser_of(const Row& z) {
    RowNormaliser acc;
    for (Eigen::Index i = 0; i < z.size(); ++i) acc.add(z[i]);
    return acc;
}

// Row n of `z` as log-probabilities into row n of `out`.
void log_softmax_row(const Eigen::MatrixXd& z, Eigen::Index n, Eigen::MatrixXd& out) {
    RowNormaliser acc;
    for (Eigen::Index i = 0; i < z.cols(); ++i) acc.add(z(n, i));
    const double log_s = acc.log_s();
    for (Eigen::Index i = 0; i < z.cols(); ++i) out(n, i) = (z(n, i) - acc.m) - log_s;  // -inf stays -inf
}
}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const Eigen::MatrixXd z = logits.transpose();
    Eigen::MatrixXd logp(1, z.cols());
    log_softmax_row(z, 0, logp);
    Eigen::VectorXd p(logits.size());
    for (Eigen::Index i = 0; i < p.size(); ++i) p[i] = std::exp(logp(0, i));
    return p;
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        log_softmax_row(logits, n, p);
        for (Eigen::Index i = 0; i < logits.cols(); ++i) p(n, i) = std::exp(p(n, i));
    }
    return p;
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    Eigen::MatrixXd out(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) log_softmax_row(logits, n, out);
    return out;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    for (Eigen::Index i = 0; i < logits.size(); ++i) {
        if (std::isnan(logits[i])) validate::fail("log_sum_exp", "logits contain NaN");
    }
    const RowNormaliser acc = normaliser_of(logits);
    if (!std::isfinite(acc.m)) return acc.m;  // all -inf: -inf; a +inf logit: +inf
    return acc.m + acc.log_s();
}

}  // namespace celab
