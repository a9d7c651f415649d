// Mutant (deliberately wrong) of exercises/softmax.cpp: softmax exponentiates the raw logits (no max subtraction), so exp(1000) overflows to inf and p is NaN
// Everything else is a copy of solutions/softmax.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

namespace {
double exact_exp(double x) { return std::exp(x); }
}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    // MISTAKE: p_i = exp(z_i) / sum_j exp(z_j) without subtracting the max first
    const Eigen::VectorXd e = logits.unaryExpr(&exact_exp);
    return e / e.sum();
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    const Eigen::VectorXd m = logits.rowwise().maxCoeff();
    const Eigen::MatrixXd e = (logits.colwise() - m).unaryExpr(&exact_exp);
    const Eigen::VectorXd sums = e.rowwise().sum();
    return sums.cwiseInverse().asDiagonal() * e;
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    const Eigen::VectorXd m = logits.rowwise().maxCoeff();
    const Eigen::MatrixXd shifted = logits.colwise() - m;
    const Eigen::VectorXd sums = shifted.unaryExpr(&exact_exp).rowwise().sum();
    const Eigen::VectorXd log_sums = sums.unaryExpr([](double s) { return std::log(s); });
    return shifted.colwise() - log_sums;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    if (logits.hasNaN()) validate::fail("log_sum_exp", "logits contain NaN");
    const double m = logits.maxCoeff();
    if (!std::isfinite(m)) return m;
    return m + std::log((logits.array() - m).unaryExpr(&exact_exp).sum());
}

}  // namespace celab
