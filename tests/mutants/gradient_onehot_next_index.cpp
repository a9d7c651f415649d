// Mutant (deliberately wrong) of exercises/gradient.cpp: cross_entropy_grad subtracts 1 at class (target + 1) mod V instead of at the target
// Everything else is a copy of solutions/gradient.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy_grad");
    validate::target(target, logits.size(), "cross_entropy_grad");
    Eigen::VectorXd grad = softmax(logits);
    // MISTAKE: off by one (as if classes were numbered from 1), wrapped to stay in range
    grad[(static_cast<Eigen::Index>(target) + 1) % logits.size()] -= 1.0;
    return grad;
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
