// softmax_rows (exercises/softmax.cpp): [N,V] -> [N,V], the softmax of each row with its own max.
#include "check_kit.hpp"
#include "formulas.hpp"

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;
using Eigen::VectorXd;

Descriptor describe_softmax_rows() {
    Descriptor d;
    d.inputs = {Field::logits_matrix};
    d.output = Output::per_entry;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) { return as_matrix(f.softmax_rows(in.Z)); };
    d.compact = Descriptor::Compact{[](const Inputs& in) { return in.Z; },
                                    [](const Inputs& in, const Eigen::VectorXd& lse) {
                                        return as_matrix(softmax_from_lse(in.Z, lse));
                                    }};
    d.checks = {kit::shape(),    kit::values("values", LogitScale::bounded),           kit::row_sums("sums_to_one", 1.0, {1e-9, 0.0}),
                kit::in_range(), kit::shift_invariance(), kit::stability(LogitScale::bounded),
                kit::repeatable()};
    d.candidates = [](const Inputs& in, const Value&) {
        const MatrixXd z = in.Z;
        return std::vector<Candidate>{
            {"batch_max",
             "subtracted the batch max instead of each row's max: rows far below the batch max underflow to "
             "0/0. Use each row's own max (z.rowwise().maxCoeff()).",
             [z] { return batch_max_softmax_rows(z); },
             {}},
            {"wrong_axis",
             "normalised over the wrong axis: your columns sum to 1, but each ROW is one example and must "
             "sum to 1 (rowwise, not colwise).",
             [z] { return column_softmax(z); },
             {}},
            {"wrong_axis", "normalised over the wrong axis: you divided by column sums; divide each row by its own sum.",
             [z] {
                 MatrixXd ez = (z.colwise() - VectorXd(z.rowwise().maxCoeff())).unaryExpr(&exp_std);
                 return MatrixXd(ez.array().rowwise() / ez.colwise().sum().array());
             },
             {}},
            {"no_max_subtraction", no_max_text, [z] { return naive_softmax_rows(z); }, {}},
            {"masked_as_zero", masked_as_zero_text,
             [z] { return has_masked(z) ? stable_softmax_rows(masked_as_zero(z)) : MatrixXd(); }, {}},
        };
    };
    return d;
}

}  // namespace celab::grader::registry
