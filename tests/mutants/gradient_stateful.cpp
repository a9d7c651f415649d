// Mutant (deliberately wrong) of exercises/gradient.cpp: cross_entropy_grad accumulates into a static vector that is never reset, so each call adds the previous gradients
// Everything else is a copy of solutions/gradient.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy_grad");
    validate::target(target, logits.size(), "cross_entropy_grad");
    // MISTAKE: a static accumulator, reset only when the size changes
    static Eigen::VectorXd acc;
    if (acc.size() != logits.size()) acc = Eigen::VectorXd::Zero(logits.size());
    Eigen::VectorXd y = Eigen::VectorXd::Zero(logits.size());
    y[target] = 1.0;
    acc += softmax(logits) - y;
    return acc;
}

Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets,
                                         Reduction reduction) {
    validate::logits_rows(logits, "cross_entropy_grad_batch");
    validate::same_shape(logits, targets, "cross_entropy_grad_batch", "logits", "targets");
    validate::distributions(targets, "cross_entropy_grad_batch");
    Eigen::MatrixXd grad = softmax_rows(logits) - targets;
    if (reduction == Reduction::Mean) grad /= static_cast<double>(logits.rows());
    return grad;
}

}  // namespace celab
