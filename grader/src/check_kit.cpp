#include "check_kit.hpp"

#include "answers.hpp"
#include "checks.hpp"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <random>

namespace celab::grader {

const Inputs& CaseRun::input(Role role) const {
    const auto given = inputs.find(role);
    if (given != inputs.end()) return *given->second;
    std::unique_ptr<const Inputs>& made = made_[role];
    if (!made) made = std::make_unique<const Inputs>(inputs_for(*c, role));
    return *made;
}

std::optional<Verdict> Context::unavailable(Role role) const {
    const CallResult& r = run.results.at(role);
    if (r.outcome == Outcome::value) return std::nullopt;
    return Verdict{false, "on the " + std::string(name(role)) + " call it " + outcome_text(r), status_of(r.outcome)};
}

namespace kit {

namespace {

using Eigen::Index;
using Eigen::MatrixXd;

std::string role_words(Role role, bool rows) {
    switch (role) {
        case Role::stable_hi:
        case Role::stable_lo:
            if (rows) return "with the logits of each row shifted by its own amount (+-1000 to +-3000, see docs/checks.md)";
            return role == Role::stable_hi ? "with every logit shifted up by 1000" : "with every logit shifted down by 1000";
        case Role::shifted: return "with the logits shifted by a constant";
        default: return "";
    }
}

Verdict check_shape(const Context& x) {
    const Value& g = x.got;
    if (g.data.rows() == x.expected.data.rows() && g.data.cols() == x.expected.data.cols()) return {};
    return fail("expected " + describe_shape(x.expected) + ", got " + describe_shape(g));
}


// The target class of row n: the case's index, or the largest weight of its target row.
Index target_of(const Inputs& in, Index n) {
    if (in.Y.size() == 0) return in.target;
    Index t = 0;
    in.Y.row(n).maxCoeff(&t);
    return t;
}

// Every row has at most one finite logit: new values can only shift it, so a function of the row is
// constant and a kept answer cannot be told from a computed one.
bool single_class_rows(const Inputs& in) {
    if (in.Z.size() > 0) {
        for (Index n = 0; n < in.Z.rows(); ++n)
            if (in.Z.row(n).array().isFinite().count() > 1) return false;
        return true;
    }
    return in.z.size() > 0 && in.z.array().isFinite().count() <= 1;
}

bool one_hot_rows(const MatrixXd& y) {
    for (Index n = 0; n < y.rows(); ++n) {
        Index ones = 0;
        for (Index i = 0; i < y.cols(); ++i) {
            if (y(n, i) == 1.0) ++ones;
            else if (y(n, i) != 0.0) return false;
        }
        if (ones != 1) return false;
    }
    return true;
}

}  // namespace

Verdict fail(std::string message) { return Verdict{false, std::move(message), Status::fail}; }

std::string tolerance_text(const Tolerance& t) {
    return format_number(t.abs) + " + " + format_number(t.rel) + "*|expected|";
}

std::string mismatch_text(const Comparison& cmp, Shape shape, const Tolerance& tol) {
    const std::string at = where(shape, cmp.row, cmp.col);
    return (at.empty() ? std::string("expected ") : "worst entry at " + at + ": expected ") +
           format_number(cmp.expected) + ", got " + format_number(cmp.actual) + " (allowed error " +
           tolerance_text(tol) + ")";
}

Verdict compare_role(const Context& x, Role role, const std::string& check, const Value& want) {
    if (auto v = x.unavailable(role)) return *v;
    const Tolerance tol = x.tolerance(check);
    const Comparison cmp = compare(x.result(role).data, want.data, tol);
    if (cmp.ok) return {};
    const bool rows = x.inputs(role).Z.size() > 0;
    if (!cmp.same_shape) return fail(role_words(role, rows) + ": got " + describe_shape(x.result(role)));
    return fail(role_words(role, rows) + ": " + mismatch_text(cmp, x.shape, tol));
}

double max_abs_finite_logit(const Inputs& in) {
    double m = 0.0;
    for (const double v : in.z) if (std::isfinite(v)) m = std::max(m, std::abs(v));
    for (const double v : in.Z.reshaped()) if (std::isfinite(v)) m = std::max(m, std::abs(v));
    return m;
}

Check shape() {
    Check c{"shape", {1e-9, 1e-7}, check_shape, {}, LogitScale::none, false, {}};
    return c;
}

Check values(const std::string& name, LogitScale scale) {
    return Check{name, {1e-9, 1e-9},
                 [name](const Context& x) -> Verdict {
                     const Tolerance tol = x.tolerance(name);
                     const Comparison cmp = compare(x.got.data, x.expected.data, tol);
                     if (cmp.ok) return {};
                     if (!cmp.same_shape)
                         return fail("expected " + describe_shape(x.expected) + ", got " + describe_shape(x.got));
                     return fail(mismatch_text(cmp, x.shape, tol));
                 },
                 {}, scale, false, {}, /*compares_answer=*/true};
}

Check row_sums(const std::string& name, double target, Tolerance tolerance) {
    return Check{name, tolerance,
                 [name, target](const Context& x) -> Verdict {
                     const Tolerance tol = x.tolerance(name);
                     const MatrixXd m = x.shape == Shape::vector ? MatrixXd(x.got.data.transpose()) : x.got.data;
                     for (Index n = 0; n < m.rows(); ++n) {
                         const double sum = m.row(n).sum();
                         if (std::abs(sum - target) <= tol.abs + tol.rel * std::abs(target)) continue;
                         return fail((x.shape == Shape::matrix ? "row " + std::to_string(n) + " sums"
                                                               : std::string("the entries sum")) +
                                     " to " + format_number(sum) + ", not " + format_number(target) +
                                     " (allowed error " + tolerance_text(tol) + ")");
                     }
                     return {};
                 },
                 {}, LogitScale::none, true, {}};
}

Check in_range() {
    return Check{"in_range", {1e-12, 0.0},
                 [](const Context& x) -> Verdict {
                     const double tol = x.tolerance("in_range").abs;
                     const MatrixXd& m = x.got.data;
                     for (Index j = 0; j < m.cols(); ++j)
                         for (Index i = 0; i < m.rows(); ++i)
                             if (!(m(i, j) >= -tol && m(i, j) <= 1.0 + tol))
                                 return fail("entry at " + where(x.shape, i, j) + " is " + format_number(m(i, j)) +
                                             ": probabilities lie in [0, 1]");
                     return {};
                 },
                 {}, LogitScale::none, true, {}};
}

Check shift_invariance() {
    // f(z + c) == f(z): compared with the student's own unshifted output
    return Check{"shift_invariance", {1e-9, 1e-9},
                 [](const Context& x) { return compare_role(x, Role::shifted, "shift_invariance", x.got); },
                 {Role::shifted}, LogitScale::none, true, {}};
}

Check stability(LogitScale scale) {
    return Check{"stability", {1e-9, 1e-9},
                 [](const Context& x) -> Verdict {
                     for (Role role : {Role::stable_hi, Role::stable_lo}) {
                         const Value want = expected_value(x.c, role, x.inputs(role));
                         Verdict v = compare_role(x, role, "stability", want);
                         if (!v.pass) return v;
                     }
                     return {};
                 },
                 {Role::stable_hi, Role::stable_lo}, scale, true, {}};
}

Check repeatable() {
    return Check{"repeatable", {1e-12, 1e-12},
                 [](const Context& x) -> Verdict {
                     // the same inputs again (after the other calls) give the same output
                     if (auto v = x.unavailable(Role::again)) return *v;
                     const Tolerance tol = x.tolerance("repeatable");
                     const Comparison cmp = compare(x.result(Role::again).data, x.got.data, tol);
                     if (!cmp.ok) {
                         const std::string at = where(x.shape, cmp.row, cmp.col);
                         return fail("the same inputs gave a different result on a later call" +
                                     (at.empty() ? "" : " (at " + at + ")") + ": first " + format_number(cmp.expected) +
                                     ", then " + format_number(cmp.actual));
                     }
                     // inputs of the same shape with other values, through the same buffers, get their own
                     // answer, not an earlier call's (judged only where the main answer is right: a wrong
                     // formula is wrong on new inputs too, which is not state)
                     if (x.run.results.count(Role::varied) == 0 || single_class_rows(x.inputs(Role::main))) return {};
                     const Tolerance answer = x.tolerance(x.c.exercise->answer_check().name);
                     if (!compare(x.got.data, x.expected.data, answer).ok) return {};
                     if (auto v = x.unavailable(Role::varied)) return *v;
                     const Value& got = x.result(Role::varied);
                     const Value want = expected_value(x.c, Role::varied, x.inputs(Role::varied));
                     const Comparison other = compare(got.data, want.data, answer);
                     if (other.ok) return {};
                     for (const auto& [role, earlier] : x.run.results) {
                         // the very same numbers, bit for bit, as an earlier call on other inputs
                         if (role == Role::varied || role == Role::again || earlier.outcome != Outcome::value) continue;
                         if (got.data.rows() != earlier.value.data.rows() || got.data.cols() != earlier.value.data.cols() ||
                             std::memcmp(got.data.data(), earlier.value.data.data(), sizeof(double) * got.data.size()) != 0)
                             continue;
                         // 0, 1 and infinities come out of many a computation (a saturated row): not evidence
                         const bool telling = (got.data.array().isFinite() && got.data.array() != 0.0 &&
                                               got.data.array().abs() != 1.0).any();
                         if (!telling) continue;
                         const std::string at = where(x.shape, other.row, other.col);
                         Verdict v = fail("on inputs of the same shape with other values (each logit moved by its own small "
                                     "amount, batch rows reversed), passed in the same buffers, it returned the answer "
                                     "of the " + std::string(name(role)) + " call" + (at.empty() ? "" : " (at " + at + ")") +
                                     ": expected " + format_number(other.expected) + ", got " + format_number(other.actual));
                         v.mistake = "stale_answer";
                         v.diagnosis = "gave new inputs of the same shape the very answer of an earlier call: a cache "
                                       "keyed by the size or the address of the input, or an answer written into the "
                                       "code? Compute the answer from the values of the arguments every time.";
                         return v;
                     }
                     return {};
                 },
                 {Role::varied, Role::again}, LogitScale::none, true, [](const Case& c) { return !c.expect_invalid_argument; }};
}

Check nonnegative() {
    return Check{"nonnegative", {1e-12, 0.0},  // times max(1, max |logit|)
                 [](const Context& x) -> Verdict {
                     const Inputs& in = x.inputs(Role::main);
                     // (masked -inf logits do not count: they would make the tolerance infinite)
                     const double scale = std::max(1.0, max_abs_finite_logit(in));
                     const double tol = x.tolerance("nonnegative").abs * scale;
                     const MatrixXd& m = x.got.data;
                     for (Index i = 0; i < m.rows(); ++i)
                         if (std::isnan(m(i, 0)) || m(i, 0) < -tol)
                             return fail("loss " +
                                         (x.shape == Shape::vector ? "at " + where(x.shape, i, 0) + " " : std::string()) +
                                         "is " + format_number(m(i, 0)) + ": cross-entropy is never negative");
                     return {};
                 },
                 {}, LogitScale::none, true, {}};
}

Check negative_target() {
    return Check{"negative_target", {1e-12, 0.0},
                 [](const Context& x) -> Verdict {
                     const double tol = x.tolerance("negative_target").abs;
                     const Inputs& in = x.inputs(Role::main);
                     const MatrixXd g = x.shape == Shape::vector ? MatrixXd(x.got.data.transpose()) : x.got.data;
                     for (Index n = 0; n < g.rows(); ++n) {
                         const Index t = target_of(in, n);
                         const std::string row = x.shape == Shape::matrix ? "row " + std::to_string(n) + ": " : "";
                         if (!(g(n, t) <= tol))
                             return fail(row + "the target coordinate " + std::to_string(t) + " is " +
                                         format_number(g(n, t)) + ", but p - 1 is never positive");
                         for (Index i = 0; i < g.cols(); ++i)
                             if (i != t && !(g(n, i) >= -tol))
                                 return fail(row + "coordinate " + std::to_string(i) + " (not the target) is " +
                                             format_number(g(n, i)) + ", but p_i - 0 is never negative");
                     }
                     return {};
                 },
                 {}, LogitScale::none, true,
                 // one-hot targets only: a soft target row has no single coordinate that must be negative
                 [](const Case& c) { return one_hot_rows(c.inputs.Y); }};
}

double plot_step(int k) { return std::pow(10.0, -0.5 * k); }

std::string coordinate(Index i, Index j) { return "coordinate " + std::to_string(i) + " " + std::to_string(j); }

void for_each_direction(const Case& c, const Inputs& in, const MatrixXd& centred,
                        const std::function<bool(const MatrixXd& d, const std::string& name, const std::string& what)>& visit) {
    const Shape shape = shape_of(c.exercise->output);
    const bool columns = in.Z.size() == 0;
    auto finite = [&](Index i, Index j) { return std::isfinite(centred(i, j)); };
    MatrixXd d = MatrixXd::Zero(centred.rows(), centred.cols());
    if (centred.size() <= full_finite_difference_limit) {
        for (Index j = 0; j < d.cols(); ++j) {
            for (Index i = 0; i < d.rows(); ++i) {
                if (!finite(i, j)) continue;  // a masked logit: no neighbourhood to difference in
                d(i, j) = 1.0;
                if (!visit(d, coordinate(i, j), where(shape, i, j))) return;
                d(i, j) = 0.0;
            }
        }
        return;
    }
    // Large cases: the target coordinate of the first example, then random unit directions
    // (a directional derivative costs two loss evaluations whatever the size).
    const Index t = target_of(in, 0);
    if (columns) d(t, 0) = 1.0;
    else d(0, t) = 1.0;
    if (!visit(d, columns ? coordinate(t, 0) : coordinate(0, t), "the target coordinate " + where(shape, 0, t))) return;
    std::mt19937_64 rng(answers::Key("random directions").add(c.name).value());  // the same on every platform
    for (int k = 1; k <= 3; ++k) {
        for (Index j = 0; j < d.cols(); ++j)
            for (Index i = 0; i < d.rows(); ++i)
                d(i, j) = finite(i, j) ? static_cast<double>(static_cast<std::int64_t>(rng() % 2001) - 1000) : 0.0;
        d /= d.norm();
        if (!visit(d, "random " + std::to_string(k), "random direction " + std::to_string(k))) return;
    }
}

MatrixXd centred_logits(const Inputs& in) {
    const bool columns = in.Z.size() == 0;  // a vector: V x 1, one max for all
    return columns ? MatrixXd(in.z.array() - in.z.maxCoeff())
                   : MatrixXd(in.Z.colwise() - Eigen::VectorXd(in.Z.rowwise().maxCoeff()));
}

// ---- finite differences ------------------------------------------------------------------
// The descriptor's loss as a function of the logits, on logits centred at their max
// (cross-entropy is shift invariant), so the loss values stay small and the difference quotient keeps
// its digits. The quotients come from answers:: (a student release has them frozen).
Check finite_difference() {
    return Check{"finite_difference", {1e-6, 1e-4},
                 [](const Context& x) -> Verdict {
                     const Tolerance tol = x.tolerance("finite_difference");
                     const Descriptor& e = *x.c.exercise;
                     const Inputs& in = x.inputs(Role::main);
                     const MatrixXd centred = centred_logits(in);
                     const MatrixXd& g = x.got.data;  // same layout as centred
                     const double h = finite_difference_step;
                     Verdict verdict;
                     for_each_direction(x.c, in, centred, [&](const MatrixXd& d, const std::string& name, const std::string& what) {
                         const double numeric = answers::difference_quotient(e, in, centred, d, h, name, &x.c);
                         double analytic = 0.0;
                         for (Index j = 0; j < d.cols(); ++j)
                             for (Index i = 0; i < d.rows(); ++i)
                                 if (d(i, j) != 0.0) analytic += d(i, j) * g(i, j);
                         if (std::abs(analytic - numeric) <= tol.abs + tol.rel * std::abs(numeric)) return true;
                         verdict = fail("along " + what + ": central differences of the loss give " + format_number(numeric) +
                                        ", your gradient gives " + format_number(analytic) + " (allowed error " +
                                        tolerance_text(tol) + ")");
                         return false;
                     });
                     return verdict;
                 },
                 {}, LogitScale::none, true, {}};
}

}  // namespace kit

}  // namespace celab::grader
