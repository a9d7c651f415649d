// Mutant (deliberately wrong) of exercises/gradient.cpp: cross_entropy_grad_batch divides by V (the number of classes) instead of N for Mean
// Everything else is a copy of solutions/gradient.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy_grad");
    validate::target(target, logits.size(), "cross_entropy_grad");
    Eigen::VectorXd grad = softmax(logits);
    grad[target] -= 1.0;
    return grad;
}

Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets,
                                         Reduction reduction) {
    validate::logits_rows(logits, "cross_entropy_grad_batch");
    validate::same_shape(logits, targets, "cross_entropy_grad_batch", "logits", "targets");
    validate::distributions(targets, "cross_entropy_grad_batch");
    Eigen::MatrixXd grad = softmax_rows(logits) - targets;
    // MISTAKE: cols() is V, the number of classes; the batch size N is rows()
    if (reduction == Reduction::Mean) grad /= static_cast<double>(logits.cols());
    return grad;
}

}  // namespace celab
