// Alternative (correct, written differently) of exercises/softmax.cpp: explicit index loops, no Eigen
// expressions. The grader must accept it. Used by the grader's self-test: see tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

namespace {
// Softmax of the row `n` of `z` into the row `n` of `p`: max, exponentials, sum, divide.
void softmax_row(const Eigen::MatrixXd& z, Eigen::Index n, Eigen::MatrixXd& p) {
    double m = z(n, 0);
    for (Eigen::Index i = 1; i < z.cols(); ++i) {
        if (z(n, i) > m) m = z(n, i);
    }
    double sum = 0.0;
    for (Eigen::Index i = 0; i < z.cols(); ++i) {
        p(n, i) = std::exp(z(n, i) - m);  // exp(-inf) == 0 for a masked class
        sum += p(n, i);
    }
    for (Eigen::Index i = 0; i < z.cols(); ++i) p(n, i) /= sum;
}
}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const Eigen::MatrixXd z = logits.transpose();  // one row
    Eigen::MatrixXd p(1, z.cols());
    softmax_row(z, 0, p);
    return p.transpose();
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) softmax_row(logits, n, p);
    return p;
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    Eigen::MatrixXd out(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        double m = logits(n, 0);
        for (Eigen::Index i = 1; i < logits.cols(); ++i) {
            if (logits(n, i) > m) m = logits(n, i);
        }
        double sum = 0.0;
        for (Eigen::Index i = 0; i < logits.cols(); ++i) sum += std::exp(logits(n, i) - m);
        const double log_sum = std::log(sum);
        for (Eigen::Index i = 0; i < logits.cols(); ++i) out(n, i) = (logits(n, i) - m) - log_sum;  // -inf stays -inf
    }
    return out;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    double m = -INFINITY;
    for (Eigen::Index i = 0; i < logits.size(); ++i) {
        if (std::isnan(logits[i])) validate::fail("log_sum_exp", "logits contain NaN");
        if (logits[i] > m) m = logits[i];
    }
    if (std::isinf(m)) return m;  // all -inf: log 0 = -inf; a +inf logit: +inf
    double sum = 0.0;
    for (Eigen::Index i = 0; i < logits.size(); ++i) sum += std::exp(logits[i] - m);
    return m + std::log(sum);
}

}  // namespace celab
