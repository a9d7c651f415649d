// log_softmax_rows (exercises/softmax.cpp): [N,V] -> [N,V], z - LSE(z) for each row; masked logits give
// exactly -inf. Never log(softmax(z)), which gives -inf where a probability underflows.
#include "check_kit.hpp"
#include "formulas.hpp"

#include <algorithm>
#include <cmath>

namespace celab::grader::registry {

using namespace formulas;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

// Every row is a log-distribution: sum_i exp(out_i) = 1.
Verdict exp_sums_to_one(const Context& x) {
    const Tolerance tol = x.tolerance("exp_sums_to_one");
    for (Index n = 0; n < x.got.data.rows(); ++n) {
        const double sum = x.got.data.row(n).unaryExpr(&exp_std).sum();
        if (std::abs(sum - 1.0) <= tol.abs + tol.rel) continue;
        return kit::fail("the exponentials of row " + std::to_string(n) + " sum to " + format_number(sum) +
                         ", not 1 (allowed error " + kit::tolerance_text(tol) + "): exp(log_softmax) is a distribution");
    }
    return {};
}

// log p <= 0, up to rounding in z - LSE(z), which grows with the logits.
Verdict nonpositive(const Context& x) {
    const double scale = std::max(1.0, kit::max_abs_finite_logit(x.inputs(Role::main)));
    const double tol = x.tolerance("nonpositive").abs * scale;
    const MatrixXd& m = x.got.data;
    for (Index j = 0; j < m.cols(); ++j)
        for (Index i = 0; i < m.rows(); ++i)
            if (!(m(i, j) <= tol))
                return kit::fail("entry at " + where(Shape::matrix, i, j) + " is " + format_number(m(i, j)) +
                                 ": a log-probability is never positive");
    return {};
}

// LSE down each column instead of along each row.
MatrixXd column_log_softmax(const MatrixXd& z) {
    const MatrixXd t = z.transpose();
    return MatrixXd(t.colwise() - stable_lse_rows(t)).transpose();
}

}  // namespace

Descriptor describe_log_softmax_rows() {
    Descriptor d;
    d.inputs = {Field::logits_matrix};
    d.output = Output::per_entry;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) { return as_matrix(f.log_softmax_rows(in.Z)); };
    d.compact = Descriptor::Compact{[](const Inputs& in) { return in.Z; },
                                    [](const Inputs& in, const Eigen::VectorXd& lse) {
                                        return as_matrix(MatrixXd(in.Z.colwise() - lse));
                                    }};
    d.checks = {kit::shape(),
                kit::values("values", LogitScale::unbounded),
                Check{"exp_sums_to_one", {1e-9, 0.0}, exp_sums_to_one, {}, LogitScale::none, true, {}},
                Check{"nonpositive", {1e-12, 0.0}, nonpositive, {}, LogitScale::none, true, {}},
                kit::shift_invariance(),
                kit::stability(LogitScale::unbounded),
                kit::repeatable()};
    d.candidates = [](const Inputs& in, const Value&) {
        const MatrixXd z = in.Z;
        const char* const log_of_softmax =
            "took the log of the softmax: where a probability underflows (a logit about 745 below its row's "
            "max) exp gives 0 and log(0) = -inf (or about -709.78 with Eigen's vectorised exp). Compute "
            "z - LSE(z) per row instead: z_i - m - log(sum_j exp(z_j - m)).";
        const char* const no_max =
            "computed log(sum(exp(z))) without subtracting the max: exp overflows for large logits (inf - inf "
            "= NaN) and underflows to log(0) for very negative rows. Use LSE(z) = m + log(sum(exp(z - m))) with "
            "m the row's max.";
        return std::vector<Candidate>{
            {"log_of_underflowed_softmax", log_of_softmax,
             [z] { return MatrixXd(stable_softmax_rows(z).array().log()); }, {}},
            {"log_of_underflowed_softmax", log_of_softmax,
             [z] {
                 // Eigen's vectorised exp clamps arguments below about -709.78 to a tiny positive number
                 const MatrixXd e = (z.colwise() - VectorXd(z.rowwise().maxCoeff())).array().exp();
                 return MatrixXd((e.array().colwise() / e.rowwise().sum().array()).log());
             },
             {}},
            {"batch_max",
             "subtracted the max of the whole batch instead of each row's: the rows far below it underflow to "
             "log(0). Use each row's own max (z.rowwise().maxCoeff()).",
             [z] { return MatrixXd(z.colwise() - batch_max_lse_rows(z)); }, {}},
            {"wrong_axis",
             "normalised over the wrong axis: each ROW is one example, so subtract each row's LSE (rowwise), "
             "not each column's.",
             [z] { return column_log_softmax(z); }, {}},
            {"no_max_subtraction", no_max, [z] { return MatrixXd(z.colwise() - naive_lse_rows(z)); }, {}},
            {"no_max_subtraction", no_max,
             [z] { return MatrixXd(z.colwise() - VectorXd(z.array().exp().rowwise().sum().log())); }, {}},
            {"forgot_max_term",
             "forgot to add the max back: log(sum(exp(z - m))) is LSE(z) - m, so subtract "
             "m + log(sum(exp(z - m))) from z.",
             [z] {
                 const VectorXd m = z.rowwise().maxCoeff();
                 return MatrixXd(z.colwise() - VectorXd(stable_lse_rows(z) - m));
             },
             {}},
            {"masked_as_zero", masked_as_zero_text,
             [z] {
                 if (!has_masked(z)) return MatrixXd();
                 const MatrixXd u = masked_as_zero(z);
                 return MatrixXd(u.colwise() - stable_lse_rows(u));
             },
             {}},
        };
    };
    return d;
}

}  // namespace celab::grader::registry
