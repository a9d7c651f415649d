#include "formulas.hpp"

#include <cmath>
#include <limits>

namespace celab::grader::formulas {

using Eigen::MatrixXd;
using Eigen::VectorXd;

double exp_std(double x) { return std::exp(x); }

MatrixXd softmax_rows_minus(const MatrixXd& z, const VectorXd& subtract) {
    MatrixXd e = (z.colwise() - subtract).unaryExpr(&exp_std);
    return e.array().colwise() / e.rowwise().sum().array();
}
MatrixXd softmax_from_lse(const MatrixXd& z, const VectorXd& lse) { return (z.colwise() - lse).unaryExpr(&exp_std); }
MatrixXd naive_softmax_rows(const MatrixXd& z) { return softmax_rows_minus(z, VectorXd::Zero(z.rows())); }
// stable_softmax_rows and stable_lse_rows are right answers: grader/answers/ computes or looks them up.
MatrixXd batch_max_softmax_rows(const MatrixXd& z) {
    return softmax_rows_minus(z, VectorXd::Constant(z.rows(), z.maxCoeff()));
}
MatrixXd column_softmax(const MatrixXd& z) { return stable_softmax_rows(z.transpose()).transpose(); }

VectorXd naive_lse_rows(const MatrixXd& z) { return z.unaryExpr(&exp_std).rowwise().sum().array().log(); }
VectorXd batch_max_lse_rows(const MatrixXd& z) {
    const double m = z.maxCoeff();
    return ((z.array() - m).unaryExpr(&exp_std).rowwise().sum().log() + m).matrix();
}

MatrixXd one_hot(Eigen::Index classes, int target) {
    MatrixXd y = MatrixXd::Zero(classes, 1);
    y(target, 0) = 1.0;
    return y;
}

VectorXd dot_rows(const MatrixXd& y, const MatrixXd& z) {
    VectorXd out = VectorXd::Zero(z.rows());
    for (Eigen::Index n = 0; n < z.rows(); ++n)
        for (Eigen::Index i = 0; i < z.cols(); ++i)
            if (y(n, i) != 0.0) out[n] += y(n, i) * z(n, i);
    return out;
}

MatrixXd scalar(double x) { return MatrixXd::Constant(1, 1, x); }

MatrixXd masked_as_zero(const MatrixXd& z) { return z.unaryExpr([](double x) { return std::isinf(x) && x < 0 ? 0.0 : x; }); }
bool has_masked(const MatrixXd& z) { return (z.array() == -std::numeric_limits<double>::infinity()).any(); }

MatrixXd gradient_through_probs(const MatrixXd& z, const MatrixXd& y) {
    const MatrixXd p = stable_softmax_rows(z);
    MatrixXd g(z.rows(), z.cols());
    for (Eigen::Index n = 0; n < z.rows(); ++n) {
        // dL/dp_j = -y_j / p_j; dL/dz_i = sum_j p_i (delta_ij - p_j) dL/dp_j = p_i (dL/dp_i - sum_j p_j dL/dp_j)
        const Eigen::RowVectorXd dp = -(y.row(n).array() / p.row(n).array()).matrix();
        const double inner = (p.row(n).array() * dp.array()).sum();
        g.row(n) = (p.row(n).array() * (dp.array() - inner)).matrix();
    }
    return g;
}

Value as_vector(VectorXd v) { return Value{Shape::vector, std::move(v)}; }
Value as_matrix(MatrixXd m) { return Value{Shape::matrix, std::move(m)}; }
Value as_number(double x) { return Value{Shape::scalar, MatrixXd::Constant(1, 1, x)}; }

const char* const no_max_text =
    "forgot to subtract the max: for large logits exp overflows to inf and the division gives NaN; for very "
    "negative ones the exponentials underflow, to 0 with std::exp (0/0 = NaN), or with Eigen's array exp to "
    "about 5.6e-309, which can make a row look uniform. Compute exp(z - max(z)) instead: softmax is shift invariant.";
const char* const masked_as_zero_text =
    "treated a masked logit (-inf) as 0: a masked class must get probability exactly 0 (exp(-inf) = 0). Do "
    "not replace non-finite logits; with the max subtracted, -inf - m is still -inf.";
const char* const through_probs_text =
    "went through dL/dp = -y/p and the softmax Jacobian: where a probability underflows to 0 that is "
    "0 * inf = NaN. The two simplify to p - y: compute that directly.";
const char* const flipped_gradient_text = "flipped the sign: the gradient is p - y (softmax minus one-hot), not y - p.";

}  // namespace celab::grader::formulas
