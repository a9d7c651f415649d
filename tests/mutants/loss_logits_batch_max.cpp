// Mutant (deliberately wrong) of exercises/loss.cpp: cross_entropy_from_logits shifts every row by the batch max, so a row far below it gets LSE = log 0 = -inf
// Everything else is a copy of solutions/loss.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

double cross_entropy(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy");
    validate::target(target, logits.size(), "cross_entropy");
    return log_sum_exp(logits) - logits[target];
}

Eigen::VectorXd cross_entropy_from_probs(const Eigen::MatrixXd& probs, const Eigen::MatrixXd& targets, double eps) {
    validate::nonempty(probs, "cross_entropy_from_probs", "probs");
    validate::same_shape(probs, targets, "cross_entropy_from_probs", "probs", "targets");
    validate::probabilities(probs, "cross_entropy_from_probs");
    validate::distributions(targets, "cross_entropy_from_probs");
    if (!(eps > 0.0 && eps < 1.0)) validate::fail("cross_entropy_from_probs", "eps must lie in (0, 1)");
    const Eigen::ArrayXXd log_p = probs.array().max(eps).min(1.0).log();
    return -(targets.array() * log_p).rowwise().sum().matrix();
}

Eigen::VectorXd cross_entropy_from_logits(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets) {
    validate::logits_rows(logits, "cross_entropy_from_logits");
    validate::same_shape(logits, targets, "cross_entropy_from_logits", "logits", "targets");
    validate::distributions(targets, "cross_entropy_from_logits");
    // MISTAKE: one max for the whole batch instead of one per row
    const double m = logits.maxCoeff();
    Eigen::VectorXd losses(logits.rows());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        double y_dot_z = 0.0;
        double sum = 0.0;
        for (Eigen::Index i = 0; i < logits.cols(); ++i) {
            if (targets(n, i) > 0.0) y_dot_z += targets(n, i) * logits(n, i);
            sum += std::exp(logits(n, i) - m);
        }
        losses[n] = m + std::log(sum) - y_dot_z;
    }
    return losses;
}

double reduce(const Eigen::VectorXd& losses, Reduction reduction) {
    validate::nonempty(losses, "reduce", "losses");
    switch (reduction) {
        case Reduction::Mean: return losses.mean();
        case Reduction::Sum: return losses.sum();
        case Reduction::None: break;
    }
    validate::fail("reduce", "Reduction::None keeps one loss per example and has no single value; use Mean or Sum");
}

}  // namespace celab
