// cross_entropy_from_logits (exercises/loss.cpp): [N], LSE(z) - <y, z> per row, stable.
#include "check_kit.hpp"
#include "formulas.hpp"

#include <cmath>

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;

Descriptor describe_cross_entropy_from_logits() {
    Descriptor d;
    d.inputs = {Field::logits_matrix, Field::targets, Field::label_smoothing};
    d.output = Output::per_row;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) {
        return as_vector(f.cross_entropy_from_logits(in.Z, in.Y));
    };
    d.checks = {kit::shape(), kit::values("values", LogitScale::unbounded), kit::nonnegative(), kit::stability(LogitScale::unbounded), kit::repeatable()};
    d.candidates = [](const Inputs& in, const Value& expected) {
        const MatrixXd z = in.Z, y = in.Y, want = expected.data;
        return std::vector<Candidate>{
            {"log_of_underflowed_softmax",
             "took log of a softmax that underflowed: some p_i round to 0 and log(0) = -inf. Use LSE(z) - <y, z> "
             "for each row.",
             [z, y] {
                 const MatrixXd logp = stable_softmax_rows(z).array().log();
                 Eigen::VectorXd out(z.rows());
                 for (Eigen::Index n = 0; n < z.rows(); ++n) {
                     double s = 0.0;
                     for (Eigen::Index i = 0; i < z.cols(); ++i)
                         if (y(n, i) != 0.0) s += y(n, i) * logp(n, i);
                     out[n] = -s;
                 }
                 return MatrixXd(out);
             },
             {}},
            {"batch_max",
             "subtracted the batch max instead of each row's max: rows far below it give log(0). Use each row's "
             "own max.",
             [z, y] { return MatrixXd(batch_max_lse_rows(z) - dot_rows(y, z)); },
             {}},
            {"no_max_subtraction",
             "computed log(sum(exp(z))) without subtracting the max: it overflows. Use each row's max.",
             [z, y] { return MatrixXd(naive_lse_rows(z) - dot_rows(y, z)); },
             {}},
            {"flipped_sign", "flipped the sign: each loss is LSE(z) - <y, z>, which is never negative.",
             [want] { return MatrixXd(-want); },
             {}},
            {"unweighted_soft_targets",
             "dropped the target weights: with soft targets the loss is LSE(z) - sum_i y_i z_i, not a sum of "
             "LSE(z) - z_i over every class with y_i > 0.",
             [z, y] {
                 const Eigen::VectorXd lse = stable_lse_rows(z);
                 Eigen::VectorXd out = Eigen::VectorXd::Zero(z.rows());
                 for (Eigen::Index n = 0; n < z.rows(); ++n)
                     for (Eigen::Index i = 0; i < z.cols(); ++i)
                         if (y(n, i) != 0.0) out[n] += lse[n] - z(n, i);
                 return MatrixXd(out);
             },
             {}},
            {"masked_as_zero", masked_as_zero_text,
             [z, y] {
                 if (!has_masked(z)) return MatrixXd();
                 const MatrixXd u = masked_as_zero(z);
                 return MatrixXd(stable_lse_rows(u) - dot_rows(y, u));
             },
             {}},
        };
    };
    return d;
}

}  // namespace celab::grader::registry
