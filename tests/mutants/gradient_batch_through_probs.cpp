// Mutant (deliberately wrong) of exercises/gradient.cpp: cross_entropy_grad_batch applies the chain rule through dL/dp = -y/p and the softmax Jacobian: NaN where p underflows
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
    // MISTAKE: dL/dp = -y/p, then dL/dz_i = p_i (dL/dp_i - sum_j p_j dL/dp_j)
    const Eigen::MatrixXd p = softmax_rows(logits);
    Eigen::MatrixXd grad(p.rows(), p.cols());
    for (Eigen::Index n = 0; n < p.rows(); ++n) {
        const Eigen::RowVectorXd dp = -(targets.row(n).array() / p.row(n).array()).matrix();
        const double inner = (p.row(n).array() * dp.array()).sum();
        grad.row(n) = (p.row(n).array() * (dp.array() - inner)).matrix();
    }
    // Mean divides the loss, and so its gradient, by the batch size N
    if (reduction == Reduction::Mean) grad /= static_cast<double>(logits.rows());
    return grad;
}

}  // namespace celab
