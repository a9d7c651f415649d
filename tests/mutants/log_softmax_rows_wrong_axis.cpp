// Mutant (deliberately wrong) of exercises/softmax.cpp: log_softmax_rows normalises each column (z - LSE of each column, colwise max and sum) instead of each row
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
    const double m = logits.maxCoeff();
    const Eigen::VectorXd e = (logits.array() - m).unaryExpr(&exact_exp).matrix();
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
    // MISTAKE: colwise() where rowwise() was meant: exp of each column sums to 1, not of each row
    const Eigen::RowVectorXd m = logits.colwise().maxCoeff();
    const Eigen::MatrixXd shifted = logits.rowwise() - m;
    const Eigen::RowVectorXd sums = shifted.unaryExpr(&exact_exp).colwise().sum();
    const Eigen::RowVectorXd log_sums = sums.unaryExpr([](double s) { return std::log(s); });
    return shifted.rowwise() - log_sums;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    if (logits.hasNaN()) validate::fail("log_sum_exp", "logits contain NaN");
    const double m = logits.maxCoeff();
    // all -inf gives -inf (log 0); a +inf logit gives +inf: return the max when it is not finite
    if (!std::isfinite(m)) return m;
    // LSE(z) = m + log(sum_j exp(z_j - m)); the sum is >= 1, so the log never sees 0
    return m + std::log((logits.array() - m).unaryExpr(&exact_exp).sum());
}

}  // namespace celab
