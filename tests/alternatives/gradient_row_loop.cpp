// Alternative (correct, written differently) of exercises/gradient.cpp: the batch gradient row by row,
// calling the single-example gradient for a one-hot row and using softmax(z_n) - y_n for a soft one.
// The grader must accept it. See tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

namespace {
// The class of a one-hot row (exactly one 1 and zeros elsewhere), or -1 for a soft row.
int onehot_class(const Eigen::RowVectorXd& y) {
    int found = -1;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
        if (y[i] == 1.0 && found < 0) {
            found = static_cast<int>(i);
        } else if (y[i] != 0.0) {
            return -1;
        }
    }
    return found;
}
}  // namespace

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
    Eigen::MatrixXd grad(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        const Eigen::VectorXd z = logits.row(n).transpose();
        const Eigen::RowVectorXd y = targets.row(n);
        const int t = onehot_class(y);
        if (t >= 0) {
            grad.row(n) = cross_entropy_grad(z, t).transpose();
        } else {
            grad.row(n) = softmax(z).transpose() - y;  // soft targets: p_n - y_n
        }
    }
    if (reduction == Reduction::Mean) grad /= static_cast<double>(logits.rows());
    return grad;
}

}  // namespace celab
