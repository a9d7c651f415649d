// cross_entropy_grad_batch (exercises/gradient.cpp): [N,V], (P - Y) / N for Mean, P - Y for Sum and None.
#include "check_kit.hpp"
#include "formulas.hpp"

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;

Descriptor describe_cross_entropy_grad_batch() {
    Descriptor d;
    d.inputs = {Field::logits_matrix, Field::targets, Field::label_smoothing, Field::reduction};
    d.output = Output::per_entry;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) {
        return as_matrix(f.cross_entropy_grad_batch(in.Z, in.Y, in.reduction));
    };
    d.compact = Descriptor::Compact{[](const Inputs& in) { return in.Z; },
                                    [](const Inputs& in, const Eigen::VectorXd& lse) {
                                        const double scale =
                                            in.reduction == Reduction::Mean ? 1.0 / static_cast<double>(in.Z.rows()) : 1.0;
                                        return as_matrix(MatrixXd((softmax_from_lse(in.Z, lse) - in.Y) * scale));
                                    }};
    d.checks = {kit::shape(),           kit::values("analytic", LogitScale::bounded), kit::finite_difference(),
                kit::row_sums("zero_sum", 0.0, {1e-9, 0.0}), kit::negative_target(), kit::stability(LogitScale::bounded),
                kit::repeatable()};
    d.generated_reductions = {Reduction::Mean, Reduction::Sum, Reduction::None};
    // The reduced loss of the per-example losses LSE(z) - <y, z>: their mean for Mean, their sum for Sum and None.
    d.loss = [](const Inputs& in, const MatrixXd& logits) {
        const Eigen::VectorXd losses = stable_lse_rows(logits) - dot_rows(in.Y, logits);
        return in.reduction == Reduction::Mean ? losses.mean() : losses.sum();
    };
    d.candidates = [](const Inputs& in, const Value& expected) {
        const MatrixXd z = in.Z, y = in.Y, want = expected.data;
        const double n = static_cast<double>(z.rows());
        const double scale = in.reduction == Reduction::Mean ? 1.0 / n : 1.0;
        std::vector<Candidate> list;
        if (in.reduction == Reduction::Mean) {
            list.push_back({"missing_mean_scale",
                            "forgot the 1/N: Reduction::Mean averages the N losses, so its gradient is (P - Y) / N.",
                            [want, n] { return MatrixXd(want * n); }, {}});
        } else {
            list.push_back({"extra_mean_scale",
                            "divided by N although the reduction is Sum or None: only Mean divides the gradient by N.",
                            [want, n] { return MatrixXd(want / n); }, {}});
        }
        if (in.reduction == Reduction::Mean && z.rows() > 1)  // for N = 1 that is dividing by V, below
            list.push_back({"divided_by_classes",
                            "divided by N * V, the number of entries; Mean divides by the number of examples N only.",
                            [want, z] { return MatrixXd(want / double(z.cols())); }, {}});
        list.push_back({"chain_rule_through_probs", through_probs_text,
                        [z, y, scale] { return MatrixXd(gradient_through_probs(z, y) * scale); }, {}});
        list.push_back({"masked_as_zero", masked_as_zero_text,
                        [z, y, scale] {
                            if (!has_masked(z)) return MatrixXd();
                            return MatrixXd((stable_softmax_rows(masked_as_zero(z)) - y) * scale);
                        },
                        {}});
        list.push_back({"divided_by_classes",
                        "divided by the number of classes V; Mean divides by the number of examples N (rows).",
                        [z, y] { return MatrixXd((stable_softmax_rows(z) - y) / double(z.cols())); }, {}});
        list.push_back({"flipped_sign", flipped_gradient_text, [want] { return MatrixXd(-want); }, {}});
        list.push_back({"missing_onehot", "returned the softmax: subtract the targets Y from the probabilities P.",
                        [z, scale] { return MatrixXd(stable_softmax_rows(z) * scale); }, {}});
        list.push_back({"batch_max", "subtracted the batch max instead of each row's max: rows far below it underflow to 0/0.",
                        [z, y, scale] { return MatrixXd((batch_max_softmax_rows(z) - y) * scale); }, {}});
        list.push_back({"wrong_axis", "normalised the softmax over the wrong axis: each ROW is one example.",
                        [z, y, scale] { return MatrixXd((column_softmax(z) - y) * scale); }, {}});
        list.push_back({"no_max_subtraction", no_max_text,
                        [z, y, scale] { return MatrixXd((naive_softmax_rows(z) - y) * scale); }, {}});
        return list;
    };
    return d;
}

}  // namespace celab::grader::registry
