// softmax (exercises/softmax.cpp): [V] -> [V], p_i = exp(z_i - m) / sum_j exp(z_j - m), m = max z.
#include "check_kit.hpp"
#include "formulas.hpp"

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;

Descriptor describe_softmax() {
    Descriptor d;
    d.inputs = {Field::logits_vector};
    d.output = Output::per_logit;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) { return as_vector(f.softmax(in.z)); };
    d.compact = Descriptor::Compact{[](const Inputs& in) { return MatrixXd(in.z.transpose()); },
                                    [](const Inputs& in, const Eigen::VectorXd& lse) {
                                        return as_vector(softmax_from_lse(in.z.transpose(), lse).transpose());
                                    }};
    d.checks = {kit::shape(),    kit::values("values", LogitScale::bounded),           kit::row_sums("sums_to_one", 1.0, {1e-9, 0.0}),
                kit::in_range(), kit::shift_invariance(), kit::stability(LogitScale::bounded),
                kit::repeatable()};
    d.candidates = [](const Inputs& in, const Value&) {
        const MatrixXd z = in.z.transpose();
        return std::vector<Candidate>{
            {"no_max_subtraction", no_max_text, [z] { return MatrixXd(naive_softmax_rows(z).transpose()); }, {}},
            {"no_max_subtraction", no_max_text,
             [z] {
                 // Eigen's vectorised exp clamps very negative arguments, which gives a uniform row.
                 MatrixXd ez = z.array().exp();
                 return MatrixXd((ez / ez.sum()).transpose());
             },
             {}},
            {"masked_as_zero", masked_as_zero_text,
             [z] { return has_masked(z) ? MatrixXd(stable_softmax_rows(masked_as_zero(z)).transpose()) : MatrixXd(); }, {}},
        };
    };
    return d;
}

}  // namespace celab::grader::registry
