// Mutant (deliberately wrong) of exercises/gradient.cpp: cross_entropy_grad hard-codes the answer of the uniform 3-class example and returns zeros otherwise
// Everything else is a copy of solutions/gradient.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy_grad");
    validate::target(target, logits.size(), "cross_entropy_grad");
    // MISTAKE: the answer of one worked example (equal logits, V = 3, target 1), pasted in
    if (logits.size() == 3 && target == 1) return (Eigen::VectorXd(3) << 1.0 / 3.0, -2.0 / 3.0, 1.0 / 3.0).finished();
    return Eigen::VectorXd::Zero(logits.size());
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
