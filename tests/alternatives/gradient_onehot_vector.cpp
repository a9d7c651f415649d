// Alternative (correct, written differently) of exercises/gradient.cpp: the one-hot target built as an
// explicit unit vector and subtracted, and the Mean scale applied as a factor 1/N.
// The grader must accept it. See tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy_grad");
    validate::target(target, logits.size(), "cross_entropy_grad");
    const Eigen::VectorXd p = softmax(logits);
    const Eigen::VectorXd y = Eigen::VectorXd::Unit(logits.size(), target);  // onehot(target)
    return p - y;
}

Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets,
                                         Reduction reduction) {
    validate::logits_rows(logits, "cross_entropy_grad_batch");
    validate::same_shape(logits, targets, "cross_entropy_grad_batch", "logits", "targets");
    validate::distributions(targets, "cross_entropy_grad_batch");
    const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(logits.rows()) : 1.0;
    return scale * (softmax_rows(logits) - targets);
}

}  // namespace celab
