#include "diagnose.hpp"

#include "compare.hpp"

#include <cmath>
#include <functional>
#include <vector>

namespace celab::grader {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// A wrong formula: the mistake it embodies and the output it produces.
struct Candidate {
    const char* mistake;
    std::string text;
    std::function<MatrixXd()> output;
};

// Matching a candidate is looser than passing a check: the student's code rounds differently.
constexpr Tolerance match_tolerance{1e-9, 1e-6};
// Float arithmetic is off by about 6e-8 relative, a few times that after a few operations.
constexpr Tolerance precision_tolerance{1e-9, 1e-5};

double exp_std(double x) { return std::exp(x); }

// Softmax of each row with a given amount subtracted per row (the max, the batch max, or nothing).
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
VectorXd batch_max_lse_rows(const MatrixXd& z) {
    const double m = z.maxCoeff();
    return ((z.array() - m).unaryExpr(&exp_std).rowwise().sum().log() + m).matrix();
}

MatrixXd one_hot(Eigen::Index classes, int target) {
    MatrixXd y = MatrixXd::Zero(classes, 1);
    y(target, 0) = 1.0;
    return y;
}

// <y, z> per row, skipping y = 0 (so masked logits add nothing).
VectorXd dot_rows(const MatrixXd& y, const MatrixXd& z) {
    VectorXd out = VectorXd::Zero(z.rows());
    for (Eigen::Index n = 0; n < z.rows(); ++n)
        for (Eigen::Index i = 0; i < z.cols(); ++i)
            if (y(n, i) != 0.0) out[n] += y(n, i) * z(n, i);
    return out;
}

MatrixXd scalar(double x) { return MatrixXd::Constant(1, 1, x); }

const char* no_max_text =
    "forgot to subtract the max: exp overflows to inf (NaN after dividing) for large logits, and underflows "
    "to 0 for very negative ones. Compute exp(z - max(z)) instead: softmax is shift invariant.";
const char* flipped_text = "flipped the sign: the gradient is p - y (softmax minus one-hot), not y - p.";

std::vector<Candidate> candidates(Exercise e, const Inputs& in, const Value& expected) {
    std::vector<Candidate> list;
    const MatrixXd& want = expected.data;
    auto add = [&](const char* mistake, std::string text, std::function<MatrixXd()> f) {
        list.push_back(Candidate{mistake, std::move(text), std::move(f)});
    };
    switch (e) {
        case Exercise::softmax: {
            const MatrixXd z = in.z.transpose();
            add("no_max_subtraction", no_max_text, [z] { return MatrixXd(naive_softmax_rows(z).transpose()); });
            add("no_max_subtraction", no_max_text, [z] {
                // Eigen's vectorised exp clamps very negative arguments, which gives a uniform row.
                MatrixXd ez = z.array().exp();
                return MatrixXd((ez / ez.sum()).transpose());
            });
            break;
        }
        case Exercise::softmax_rows: {
            const MatrixXd z = in.Z;
            add("batch_max",
                "subtracted the batch max instead of each row's max: rows far below the batch max underflow to "
                "0/0. Use each row's own max (z.rowwise().maxCoeff()).",
                [z] { return batch_max_softmax_rows(z); });
            add("wrong_axis",
                "normalised over the wrong axis: your columns sum to 1, but each ROW is one example and must "
                "sum to 1 (rowwise, not colwise).",
                [z] { return column_softmax(z); });
            add("wrong_axis",
                "normalised over the wrong axis: you divided by column sums; divide each row by its own sum.",
                [z] {
                    MatrixXd ez = (z.colwise() - VectorXd(z.rowwise().maxCoeff())).unaryExpr(&exp_std);
                    return MatrixXd(ez.array().rowwise() / ez.colwise().sum().array());
                });
            add("no_max_subtraction", no_max_text, [z] { return naive_softmax_rows(z); });
            break;
        }
        case Exercise::log_sum_exp: {
            const MatrixXd z = in.z.transpose();
            add("no_max_subtraction",
                "computed log(sum(exp(z))) directly: exp overflows for large logits and underflows to log(0) = "
                "-inf for very negative ones. Use m + log(sum(exp(z - m))) with m = max(z).",
                [z] { return scalar(naive_lse_rows(z)[0]); });
            add("forgot_max_term",
                "forgot to add the max back: log(sum(exp(z - m))) is LSE(z) - m; return m + log(sum(exp(z - m))).",
                [z] {
                    const double m = z.maxCoeff();
                    if (!std::isfinite(m)) return scalar(m);  // that code would special-case it too
                    return scalar(std::log((z.array() - m).unaryExpr(&exp_std).sum()));
                });
            break;
        }
        case Exercise::cross_entropy: {
            const MatrixXd z = in.z.transpose();
            const int t = in.target;
            add("log_of_underflowed_softmax",
                "took log of a softmax that underflowed: p[target] rounds to 0 and -log(0) = inf. Compute the loss "
                "from the logits: LSE(z) - z[target].",
                [z, t] { return scalar(-std::log(stable_softmax_rows(z)(0, t))); });
            add("no_max_subtraction",
                "computed log(sum(exp(z))) without subtracting the max: it overflows. Use log_sum_exp(z) - z[target].",
                [z, t] { return scalar(naive_lse_rows(z)[0] - z(0, t)); });
            add("flipped_sign", "flipped the sign: the loss is LSE(z) - z[target], which is never negative.",
                [want] { return MatrixXd(-want); });
            // The loss of another class k: LSE - z_k. Found from the output itself (see diagnose()).
            add("onehot_wrong_index", "", [] { return MatrixXd(); });
            break;
        }
        case Exercise::cross_entropy_from_probs: {
            const MatrixXd p = in.P, y = in.Y;
            add("missing_clamp",
                "forgot to clamp: a probability of 0 gives log(0) = -inf. Clamp p to [eps, 1] before the log.",
                [p, y] {
                    VectorXd out(p.rows());
                    for (Eigen::Index n = 0; n < p.rows(); ++n) {
                        double s = 0.0;
                        for (Eigen::Index i = 0; i < p.cols(); ++i) s += y(n, i) * std::log(p(n, i));
                        out[n] = -s;
                    }
                    return MatrixXd(out);
                });
            add("flipped_sign", "flipped the sign: the loss is -sum y log p, which is never negative.",
                [want] { return MatrixXd(-want); });
            break;
        }
        case Exercise::cross_entropy_from_logits: {
            const MatrixXd z = in.Z, y = in.Y;
            add("log_of_underflowed_softmax",
                "took log of a softmax that underflowed: some p_i round to 0 and log(0) = -inf. Use LSE(z) - <y, z> "
                "for each row.",
                [z, y] {
                    const MatrixXd logp = stable_softmax_rows(z).array().log();
                    VectorXd out(z.rows());
                    for (Eigen::Index n = 0; n < z.rows(); ++n) {
                        double s = 0.0;
                        for (Eigen::Index i = 0; i < z.cols(); ++i)
                            if (y(n, i) != 0.0) s += y(n, i) * logp(n, i);
                        out[n] = -s;
                    }
                    return MatrixXd(out);
                });
            add("batch_max",
                "subtracted the batch max instead of each row's max: rows far below it give log(0). Use each row's "
                "own max.",
                [z, y] { return MatrixXd(batch_max_lse_rows(z) - dot_rows(y, z)); });
            add("no_max_subtraction",
                "computed log(sum(exp(z))) without subtracting the max: it overflows. Use each row's max.",
                [z, y] { return MatrixXd(naive_lse_rows(z) - dot_rows(y, z)); });
            add("flipped_sign", "flipped the sign: each loss is LSE(z) - <y, z>, which is never negative.",
                [want] { return MatrixXd(-want); });
            break;
        }
        case Exercise::reduce: {
            const VectorXd l = in.losses;
            if (in.reduction == Reduction::Mean)
                add("mean_sum_swapped", "returned the sum for Reduction::Mean: divide by the number of losses N.",
                    [l] { return scalar(l.sum()); });
            if (in.reduction == Reduction::Sum)
                add("mean_sum_swapped", "returned the mean for Reduction::Sum: Sum must not divide by N.",
                    [l] { return scalar(l.mean()); });
            break;
        }
        case Exercise::cross_entropy_grad: {
            const MatrixXd z = in.z.transpose();
            const int t = in.target;
            const Eigen::Index v = z.cols();
            add("flipped_sign", flipped_text, [want] { return MatrixXd(-want); });
            add("missing_onehot",
                "returned the softmax: the gradient is softmax(z) minus the one-hot target, so subtract 1 at index "
                "target.",
                [want, v, t] { return MatrixXd(want + one_hot(v, t)); });
            add("no_max_subtraction", no_max_text,
                [z, v, t] { return MatrixXd(naive_softmax_rows(z).transpose() - one_hot(v, t)); });
            // The one-hot subtracted at another index k: want + e_t - e_k. Find k from the output itself.
            add("onehot_wrong_index", "", [] { return MatrixXd(); });
            break;
        }
        case Exercise::cross_entropy_grad_batch: {
            const MatrixXd z = in.Z, y = in.Y;
            const double n = static_cast<double>(z.rows());
            const double scale = in.reduction == Reduction::Mean ? 1.0 / n : 1.0;
            if (in.reduction == Reduction::Mean) {
                add("missing_mean_scale",
                    "forgot the 1/N: Reduction::Mean averages the N losses, so its gradient is (P - Y) / N.",
                    [want, n] { return MatrixXd(want * n); });
            } else {
                add("extra_mean_scale",
                    "divided by N although the reduction is Sum or None: only Mean divides the gradient by N.",
                    [want, n] { return MatrixXd(want / n); });
            }
            add("divided_by_classes",
                "divided by the number of classes V; Mean divides by the number of examples N (rows).",
                [z, y] { return MatrixXd((stable_softmax_rows(z) - y) / double(z.cols())); });
            add("flipped_sign", flipped_text, [want] { return MatrixXd(-want); });
            add("missing_onehot", "returned the softmax: subtract the targets Y from the probabilities P.",
                [z, scale] { return MatrixXd(stable_softmax_rows(z) * scale); });
            add("batch_max",
                "subtracted the batch max instead of each row's max: rows far below it underflow to 0/0.",
                [z, y, scale] { return MatrixXd((batch_max_softmax_rows(z) - y) * scale); });
            add("wrong_axis", "normalised the softmax over the wrong axis: each ROW is one example.",
                [z, y, scale] { return MatrixXd((column_softmax(z) - y) * scale); });
            add("no_max_subtraction", no_max_text,
                [z, y, scale] { return MatrixXd((naive_softmax_rows(z) - y) * scale); });
            break;
        }
    }
    return list;
}

bool matches(const MatrixXd& got, const MatrixXd& candidate) {
    return candidate.size() > 0 && compare(got, candidate, match_tolerance).ok;
}

// For a single-example gradient: is got == want + e_t - e_k for some k != t?
std::optional<Eigen::Index> wrong_onehot_index(const MatrixXd& got, const MatrixXd& want, int t) {
    if (got.rows() != want.rows() || got.cols() != 1) return std::nullopt;
    // An output of zeros matches want + e_t - e_k whenever the softmax is saturated at k: that says
    // nothing about where the one-hot went.
    if (got.cwiseAbs().maxCoeff() <= match_tolerance.abs) return std::nullopt;
    MatrixXd d = got - want;  // should be e_t - e_k
    d(t, 0) -= 1.0;           // now -e_k
    Eigen::Index k = 0;
    d.col(0).minCoeff(&k);
    if (k == t) return std::nullopt;
    MatrixXd expect = MatrixXd::Zero(want.rows(), 1);
    expect(k, 0) = -1.0;
    if (compare(d, expect, match_tolerance).ok) return k;
    return std::nullopt;
}

// For a single-example loss: is got == LSE(z) - z_k for some class k whose logit differs from z_t?
// LSE(z) - z_k = want + z_t - z_k, so z_k = want + z_t - got: one pass over the logits.
std::optional<Eigen::Index> wrong_class(const MatrixXd& got, const MatrixXd& want, const Eigen::VectorXd& z, int t) {
    if (got.size() != 1 || !std::isfinite(got(0, 0)) || !std::isfinite(want(0, 0))) return std::nullopt;
    const double z_k = want(0, 0) + z[t] - got(0, 0);
    for (Eigen::Index k = 0; k < z.size(); ++k) {
        if (k == t || z[k] == z[t]) continue;
        const MatrixXd candidate = MatrixXd::Constant(1, 1, want(0, 0) + z[t] - z[k]);
        if (std::abs(z[k] - z_k) <= 1e-6 * (1.0 + std::abs(z_k)) && compare(got, candidate, match_tolerance).ok) return k;
    }
    return std::nullopt;
}

}  // namespace

std::optional<Diagnosis> diagnose(Exercise e, const Inputs& in, const Value& got, const Value& expected) {
    const MatrixXd& out = got.data;
    // Shape mistakes first: they say the most.
    if (out.rows() != expected.data.rows() || out.cols() != expected.data.cols()) {
        if (out.rows() == expected.data.cols() && out.cols() == expected.data.rows() && got.shape == Shape::matrix)
            return Diagnosis{"wrong_axis", "returned the transpose: the output is [N, V], one example per row."};
        const bool per_example = e == Exercise::cross_entropy_from_probs || e == Exercise::cross_entropy_from_logits;
        if (per_example && out.rows() != expected.data.rows())
            return Diagnosis{"wrong_axis",
                             "summed over the wrong axis: return one loss per example (N rows), so sum each row "
                             "over its classes (rowwise)."};
        return std::nullopt;
    }
    for (const Candidate& c : candidates(e, in, expected)) {
        if (e == Exercise::cross_entropy && std::string(c.mistake) == "onehot_wrong_index") {
            if (auto k = wrong_class(out, expected.data, in.z, in.target))
                return Diagnosis{c.mistake, "used the wrong class: your loss is the loss of class " + std::to_string(*k) +
                                                ", not of the target " + std::to_string(in.target) + " (an off-by-one?)."};
            continue;
        }
        if (e == Exercise::cross_entropy_grad && std::string(c.mistake) == "onehot_wrong_index") {
            if (auto k = wrong_onehot_index(out, expected.data, in.target))
                return Diagnosis{c.mistake, "subtracted the one-hot at the wrong index: at " + std::to_string(*k) +
                                                " instead of the target " + std::to_string(in.target) +
                                                " (an off-by-one, or the argmax?)."};
            continue;
        }
        const MatrixXd candidate = c.output();
        if (matches(out, candidate) && !matches(candidate, expected.data)) return Diagnosis{c.mistake, c.text};
    }
    // Right to about seven digits and no more: the mark of single precision somewhere.
    if (compare(out, expected.data, precision_tolerance).ok)
        return Diagnosis{"single_precision",
                         "right to about 7 significant digits only: is a float (or an f-suffixed constant, or "
                         "std::expf) somewhere in the computation? Use double throughout."};
    return std::nullopt;
}

Diagnosis stateful_diagnosis() {
    return {"stateful",
            "keeps state between calls: the same input gave a different result the second time. A static or "
            "global buffer that is never reset? Compute everything from the arguments."};
}

Diagnosis unstable_diagnosis() {
    return {"no_max_subtraction",
            "right for moderate logits but wrong once they are shifted by about 1000: forgot to subtract the max "
            "(exp overflows or underflows). Softmax is shift invariant, so subtract max(z) first."};
}

Diagnosis none_not_rejected_diagnosis() {
    return {"none_not_rejected",
            "Reduction::None must throw std::invalid_argument: there is no single value to return."};
}

}  // namespace celab::grader
