// Hostile submission for the sandbox tests: softmax prints megabytes to stdout, then returns a correct result.
// Built as a module by tests/sandbox.cmake (celab_add_submission_module ... SOFTMAX this file).
#include <celab/exercises.hpp>

#include <cstdio>
#include <string>

namespace celab {

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    const std::string line(1023, 'x');
    for (int i = 0; i < 8 * 1024; ++i) std::printf("%s\n", line.c_str());  // 8 MiB
    const Eigen::VectorXd e = (logits.array() - logits.maxCoeff()).exp().matrix();
    return e / e.sum();
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) p.row(n) = softmax(logits.row(n).transpose()).transpose();
    return p;
}

// Correct and well behaved (it does not call softmax), so it adds no timeout or crash of its own.
Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    const Eigen::MatrixXd shifted = logits.colwise() - Eigen::VectorXd(logits.rowwise().maxCoeff());
    const Eigen::VectorXd log_sums = shifted.array().exp().rowwise().sum().log().matrix();
    return shifted.colwise() - log_sums;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    (void)softmax(logits);
    return 0.0;
}

}  // namespace celab
