#include "formulas.hpp"

#include <cmath>

namespace celab::grader::formulas {

using Eigen::MatrixXd;
using Eigen::VectorXd;

double exp_std(double x) { return std::exp(x); }

MatrixXd softmax_rows_minus(const MatrixXd& z, const VectorXd& subtract) {
    MatrixXd e = (z.colwise() - subtract).unaryExpr(&exp_std);
    return e.array().colwise() / e.rowwise().sum().array();
}
MatrixXd naive_softmax_rows(const MatrixXd& z) { return softmax_rows_minus(z, VectorXd::Zero(z.rows())); }
MatrixXd stable_softmax_rows(const MatrixXd& z) { return softmax_rows_minus(z, z.rowwise().maxCoeff()); }
MatrixXd batch_max_softmax_rows(const MatrixXd& z) {
    return softmax_rows_minus(z, VectorXd::Constant(z.rows(), z.maxCoeff()));
}
MatrixXd column_softmax(const MatrixXd& z) { return stable_softmax_rows(z.transpose()).transpose(); }

VectorXd naive_lse_rows(const MatrixXd& z) { return z.unaryExpr(&exp_std).rowwise().sum().array().log(); }
VectorXd stable_lse_rows(const MatrixXd& z) {
    VectorXd out(z.rows());
    for (Eigen::Index n = 0; n < z.rows(); ++n) {
        const double m = z.row(n).maxCoeff();
        out[n] = std::isfinite(m) ? m + std::log((z.row(n).array() - m).unaryExpr(&exp_std).sum()) : m;
    }
    return out;
}
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

Value as_vector(VectorXd v) { return Value{Shape::vector, std::move(v)}; }
Value as_matrix(MatrixXd m) { return Value{Shape::matrix, std::move(m)}; }
Value as_number(double x) { return Value{Shape::scalar, MatrixXd::Constant(1, 1, x)}; }

const char* const no_max_text =
    "forgot to subtract the max: exp overflows to inf (NaN after dividing) for large logits, and underflows "
    "to 0 for very negative ones. Compute exp(z - max(z)) instead: softmax is shift invariant.";
const char* const flipped_gradient_text = "flipped the sign: the gradient is p - y (softmax minus one-hot), not y - p.";

}  // namespace celab::grader::formulas
