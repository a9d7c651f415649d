// Mutant (deliberately wrong) of exercises/softmax.cpp: softmax exponentiates the raw logits with Eigen's vectorised exp: NaN for large logits, a uniform-looking row for very negative ones
// Everything else is a copy of solutions/softmax.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

namespace {
// exp(x) with exp(-inf) == 0 exactly (Eigen's vectorised exp clamps very negative arguments).
double exact_exp(double x) { return std::exp(x); }
}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    // p_i = exp(z_i - m) / sum_j exp(z_j - m), m = max_j z_j: every exponent is <= 0, so nothing overflows
    // MISTAKE: no max subtracted, and Eigen's vectorised exp (which clamps below about -709.78)
    const Eigen::VectorXd e = logits.array().exp().matrix();
    return e / e.sum();
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    // each row n uses its own max m_n = max_i z_{n,i}, never the batch max
    const Eigen::VectorXd m = logits.rowwise().maxCoeff();
    const Eigen::MatrixXd e = (logits.colwise() - m).unaryExpr(&exact_exp);
    // divide row n by its own sum: P = diag(1 / rowsum(E)) E
    const Eigen::VectorXd sums = e.rowwise().sum();
    return sums.cwiseInverse().asDiagonal() * e;
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    // each row n uses its own max m_n, which is finite (a row of all -inf is rejected above), so a
    // masked logit gives z - m_n = -inf - m_n = -inf exactly, never (-inf) - (-inf) = NaN
    const Eigen::VectorXd m = logits.rowwise().maxCoeff();
    const Eigen::MatrixXd shifted = logits.colwise() - m;
    // s_n = sum_i exp(z_{n,i} - m_n) >= 1 (the max contributes exp(0) = 1), so log s_n never sees 0
    const Eigen::VectorXd sums = shifted.unaryExpr(&exact_exp).rowwise().sum();
    const Eigen::VectorXd log_sums = sums.unaryExpr([](double s) { return std::log(s); });
    // log p_{n,i} = z_{n,i} - LSE(z_n) = (z_{n,i} - m_n) - log s_n. Never log(softmax): p_{n,i} can
    // underflow to 0 (log 0 = -inf) where log p_{n,i} is an ordinary number such as -1000
    return shifted.colwise() - log_sums;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::lse_logits(logits, "log_sum_exp");  // not validate::logits: all -inf and +inf are valid here
    const double m = logits.maxCoeff();
    // all -inf gives -inf (log 0); a +inf logit gives +inf: return the max when it is not finite
    if (!std::isfinite(m)) return m;
    // LSE(z) = m + log(sum_j exp(z_j - m)); the sum is >= 1, so the log never sees 0
    return m + std::log((logits.array() - m).unaryExpr(&exact_exp).sum());
}

}  // namespace celab
