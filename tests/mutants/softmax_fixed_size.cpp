// Mutant (deliberately wrong) of exercises/softmax.cpp: softmax works in a fixed buffer of 8 classes: classes 8 and beyond get probability 0
// Everything else is a copy of solutions/softmax.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace celab {

namespace {
double exact_exp(double x) { return std::exp(x); }
}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    // MISTAKE: a fixed-size buffer "big enough for the examples"; only the first 8 classes count
    constexpr Eigen::Index capacity = 8;
    std::array<double, capacity> e{};
    const Eigen::Index used = logits.size() < capacity ? logits.size() : capacity;
    double m = logits[0];
    for (Eigen::Index i = 1; i < used; ++i) m = std::max(m, logits[i]);
    double sum = 0.0;
    for (Eigen::Index i = 0; i < used; ++i) {
        e[static_cast<std::size_t>(i)] = std::exp(logits[i] - m);
        sum += e[static_cast<std::size_t>(i)];
    }
    Eigen::VectorXd p = Eigen::VectorXd::Zero(logits.size());
    for (Eigen::Index i = 0; i < used; ++i) p[i] = e[static_cast<std::size_t>(i)] / sum;
    return p;
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
