// Alternative (correct, written differently) of exercises/softmax.cpp: Eigen Array expressions with
// Eigen's own vectorised .exp() (which returns ~5.6e-309 rather than exactly 0 for exp(-inf), so a
// masked class gets a probability of ~1e-308: a correct answer within any absolute tolerance).
// The grader must accept it. See tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const Eigen::ArrayXd e = (logits.array() - logits.maxCoeff()).exp();
    return (e / e.sum()).matrix();
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    const Eigen::ArrayXd m = logits.array().rowwise().maxCoeff();
    const Eigen::ArrayXXd e = (logits.array().colwise() - m).exp();
    const Eigen::ArrayXd sums = e.rowwise().sum();
    return (e.colwise() / sums).matrix();
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    const Eigen::ArrayXd m = logits.array().rowwise().maxCoeff();
    const Eigen::ArrayXXd shifted = logits.array().colwise() - m;  // a masked class stays -inf
    const Eigen::ArrayXd log_sums = shifted.exp().rowwise().sum().log();
    return (shifted.colwise() - log_sums).matrix();
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    if (logits.hasNaN()) validate::fail("log_sum_exp", "logits contain NaN");
    const double m = logits.maxCoeff();
    if (!std::isfinite(m)) return m;
    return m + std::log((logits.array() - m).exp().sum());
}

}  // namespace celab
