// Mutant (deliberately wrong) of exercises/gradient.cpp: cross_entropy_grad_batch divides by N * V for Mean (the mean over every entry of the matrix)
// Everything else is a copy of solutions/gradient.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy_grad");
    validate::target(target, logits.size(), "cross_entropy_grad");
    // dL/dz = p - onehot(target): copy the softmax, subtract 1 at the target
    Eigen::VectorXd grad = softmax(logits);
    grad[target] -= 1.0;
    return grad;
}

Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets,
                                         Reduction reduction) {
    validate::logits_rows(logits, "cross_entropy_grad_batch");
    validate::same_shape(logits, targets, "cross_entropy_grad_batch", "logits", "targets");
    validate::distributions(targets, "cross_entropy_grad_batch");
    // dL/dZ = P - Y for Sum and None (each row is its own example's gradient)
    Eigen::MatrixXd grad = softmax_rows(logits) - targets;
    // Mean divides the loss, and so its gradient, by the batch size N
    // MISTAKE: divides by the number of entries
    if (reduction == Reduction::Mean) grad /= static_cast<double>(logits.size());
    return grad;
}

}  // namespace celab
