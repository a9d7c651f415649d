// Alternative (correct, written differently) of exercises/softmax.cpp: softmax as exp(z - LSE(z)),
// with the max taken out first, p_i = exp((z_i - m) - log(s)), so that LSE's rounding at huge m
// (1e300 + log 2 == 1e300) cannot break the normalisation; LSE via log1p of the non-max terms.
// The grader must accept it. See tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

namespace {
// The shifted log-normaliser of a row: m = max z and log(sum_j exp(z_j - m)) = log1p(sum_{j != argmax} ...).
struct ShiftedLse {
    double m;
    double log_s;
};

template <typename Row>
ShiftedLse shifted_lse(const Row& z) {
    Eigen::Index k = 0;
    const double m = z.maxCoeff(&k);
    double rest = 0.0;  // sum over every class but the argmax, each term in [0, 1]
    for (Eigen::Index j = 0; j < z.size(); ++j) {
        if (j != k) rest += std::exp(z[j] - m);
    }
    return {m, std::log1p(rest)};
}
}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const ShiftedLse lse = shifted_lse(logits);
    Eigen::VectorXd p(logits.size());
    for (Eigen::Index i = 0; i < logits.size(); ++i) p[i] = std::exp((logits[i] - lse.m) - lse.log_s);
    return p;
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        const Eigen::RowVectorXd z = logits.row(n);
        const ShiftedLse lse = shifted_lse(z);
        for (Eigen::Index i = 0; i < z.size(); ++i) p(n, i) = std::exp((z[i] - lse.m) - lse.log_s);
    }
    return p;
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    Eigen::MatrixXd out(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        const Eigen::RowVectorXd z = logits.row(n);
        const ShiftedLse lse = shifted_lse(z);
        for (Eigen::Index i = 0; i < z.size(); ++i) out(n, i) = (z[i] - lse.m) - lse.log_s;
    }
    return out;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    if (logits.hasNaN()) validate::fail("log_sum_exp", "logits contain NaN");
    const double m = logits.maxCoeff();
    if (!std::isfinite(m)) return m;
    const ShiftedLse lse = shifted_lse(logits);
    return lse.m + lse.log_s;
}

}  // namespace celab
