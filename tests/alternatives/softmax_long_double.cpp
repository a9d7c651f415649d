// Alternative (correct, written differently) of exercises/softmax.cpp: every max, exponential and sum in
// long double, rounded to double at the end. The grader must accept it. Used by the grader's self-test: see
// tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>
#include <cmath>
#include <limits>
namespace celab {
namespace {
long double max_of(const double* z, Eigen::Index n) {
    long double m = -std::numeric_limits<long double>::infinity();
    for (Eigen::Index i = 0; i < n; ++i) m = z[i] > m ? z[i] : m;
    return m;
}
}  // namespace
Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const long double m = max_of(logits.data(), logits.size());
    long double s = 0;
    for (double x : logits) s += std::exp(static_cast<long double>(x) - m);
    Eigen::VectorXd p(logits.size());
    for (Eigen::Index i = 0; i < p.size(); ++i) p[i] = static_cast<double>(std::exp(logits[i] - m) / s);
    return p;
}
Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) p.row(n) = softmax(logits.row(n).transpose()).transpose();
    return p;
}
Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    Eigen::MatrixXd out(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        const Eigen::RowVectorXd z = logits.row(n);
        const long double m = max_of(z.data(), z.size());
        long double s = 0;
        for (double x : z) s += std::exp(static_cast<long double>(x) - m);
        const long double log_s = std::log(s);
        for (Eigen::Index i = 0; i < z.size(); ++i) out(n, i) = static_cast<double>((z[i] - m) - log_s);
    }
    return out;
}
double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    if (logits.hasNaN()) validate::fail("log_sum_exp", "logits contain NaN");
    const long double m = max_of(logits.data(), logits.size());
    if (!std::isfinite(m)) return static_cast<double>(m);
    long double s = 0;
    for (double x : logits) s += std::exp(static_cast<long double>(x) - m);
    return static_cast<double>(m + std::log(s));
}
}  // namespace celab
