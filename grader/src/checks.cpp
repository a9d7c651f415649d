#include "checks.hpp"

#include "compare.hpp"
#include "diagnose.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <random>

namespace celab::grader {

namespace {

using Eigen::Index;
using Eigen::MatrixXd;

const abi::SubmissionTable& reference() {
    static const abi::SubmissionTable table = abi::linked_table();
    return table;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
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

Shape output_shape(Exercise e) {
    switch (e) {
        case Exercise::softmax:
        case Exercise::cross_entropy_grad:
        case Exercise::cross_entropy_from_probs:
        case Exercise::cross_entropy_from_logits: return Shape::vector;
        case Exercise::softmax_rows:
        case Exercise::cross_entropy_grad_batch: return Shape::matrix;
        case Exercise::log_sum_exp:
        case Exercise::cross_entropy:
        case Exercise::reduce: return Shape::scalar;
    }
    return Shape::scalar;
}

const char* reduction_name(Reduction r) {
    switch (r) {
        case Reduction::Mean: return "Mean";
        case Reduction::Sum: return "Sum";
        case Reduction::None: return "None";
    }
    return "?";
}

// The inputs in words, short enough for one line.
std::string describe(Exercise e, const Inputs& in) {
    auto vec = [](const Eigen::VectorXd& v) { return format_value(v, Shape::vector); };
    auto mat = [](const MatrixXd& m) { return format_value(m, Shape::matrix); };
    switch (e) {
        case Exercise::softmax:
        case Exercise::log_sum_exp: return "logits " + vec(in.z);
        case Exercise::cross_entropy:
        case Exercise::cross_entropy_grad: return "logits " + vec(in.z) + ", target " + std::to_string(in.target);
        case Exercise::softmax_rows: return "logits " + mat(in.Z);
        case Exercise::cross_entropy_from_logits: return "logits " + mat(in.Z) + ", targets " + mat(in.Y);
        case Exercise::cross_entropy_grad_batch:
            return "logits " + mat(in.Z) + ", targets " + mat(in.Y) + ", reduction " + reduction_name(in.reduction);
        case Exercise::cross_entropy_from_probs:
            return "probs " + mat(in.P) + ", targets " + mat(in.Y) + ", eps " + format_number(in.eps);
        case Exercise::reduce: return "losses " + vec(in.losses) + ", reduction " + reduction_name(in.reduction);
    }
    return "";
}

std::string tolerance_text(const Tolerance& t) {
    return format_number(t.abs) + " + " + format_number(t.rel) + "*|expected|";
}

std::string mismatch_text(const Comparison& cmp, Shape shape, const Tolerance& tol) {
    const std::string at = where(shape, cmp.row, cmp.col);
    return (at.empty() ? std::string("expected ") : "worst entry at " + at + ": expected ") +
           format_number(cmp.expected) + ", got " + format_number(cmp.actual) + " (allowed error " +
           tolerance_text(tol) + ")";
}

Status status_of(Outcome o) {
    switch (o) {
        case Outcome::value: return Status::pass;
        case Outcome::not_implemented: return Status::not_implemented;
        case Outcome::oversized: return Status::fail;
        case Outcome::invalid_argument:
        case Outcome::exception:
        case Outcome::not_run: return Status::error;
        case Outcome::crash: return Status::crash;
        case Outcome::timeout: return Status::timeout;
    }
    return Status::error;
}

std::string outcome_text(const CallResult& r) {
    switch (r.outcome) {
        case Outcome::invalid_argument: return "threw std::invalid_argument: " + r.text;
        case Outcome::exception: return "threw " + r.text;
        case Outcome::not_run: return "was not run";
        default: return r.text;
    }
}

struct Verdict {
    bool pass = true;
    std::string message;
    Status status = Status::pass;  // pass or fail, or the status of a call that did not return
};

Verdict fail(std::string message) { return Verdict{false, std::move(message), Status::fail}; }

// Everything a check can look at.
struct Context {
    const CaseRun& run;
    const Case& c;
    Shape shape;
    const Value& got;       // the main call's output
    const Value& expected;  // the right answer for the main call
    std::function<Tolerance(const std::string&)> tolerance;

    // The student's output for `role`, or the verdict of a call that did not return a value.
    std::optional<Verdict> unavailable(Role role) const {
        const CallResult& r = run.results.at(role);
        if (r.outcome == Outcome::value) return std::nullopt;
        return Verdict{false, "on the " + std::string(name(role)) + " call it " + outcome_text(r), status_of(r.outcome)};
    }
    const Value& result(Role role) const { return run.results.at(role).value; }
    const Inputs& inputs(Role role) const { return *run.inputs.at(role); }
};

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

Verdict check_values(const Context& x, const std::string& check) {
    const Tolerance tol = x.tolerance(check);
    const Comparison cmp = compare(x.got.data, x.expected.data, tol);
    if (cmp.ok) return {};
    if (!cmp.same_shape) return fail("expected " + describe_shape(x.expected) + ", got " + describe_shape(x.got));
    return fail(mismatch_text(cmp, x.shape, tol));
}

Verdict check_reduce_none(const Context& x) {
    const CallResult& r = x.run.results.at(Role::main);
    if (r.outcome == Outcome::invalid_argument) return {};
    if (r.outcome == Outcome::value)
        return fail("Reduction::None must throw std::invalid_argument, but returned " + format_number(r.value.data(0, 0)));
    return fail("Reduction::None must throw std::invalid_argument, but it " + outcome_text(r));
}

// Every row (or the one vector) of `m` sums to `target`.
Verdict check_row_sums(const Context& x, const std::string& check, double target) {
    const Tolerance tol = x.tolerance(check);
    const MatrixXd m = x.shape == Shape::vector ? MatrixXd(x.got.data.transpose()) : x.got.data;
    for (Index n = 0; n < m.rows(); ++n) {
        const double sum = m.row(n).sum();
        if (!(std::abs(sum - target) <= tol.abs + tol.rel * std::abs(target))) {
            return fail((x.shape == Shape::matrix ? "row " + std::to_string(n) + " sums" : std::string("the entries sum")) +
                        " to " + format_number(sum) + ", not " + format_number(target) + " (allowed error " +
                        tolerance_text(tol) + ")");
        }
    }
    return {};
}

Verdict check_in_range(const Context& x) {
    const double tol = x.tolerance("in_range").abs;
    const MatrixXd& m = x.got.data;
    for (Index j = 0; j < m.cols(); ++j)
        for (Index i = 0; i < m.rows(); ++i)
            if (!(m(i, j) >= -tol && m(i, j) <= 1.0 + tol))
                return fail("entry at " + where(x.shape, i, j) + " is " + format_number(m(i, j)) +
                            ": probabilities lie in [0, 1]");
    return {};
}

// The student's output on `role`'s inputs against `want`.
Verdict check_role(const Context& x, Role role, const std::string& check, const Value& want) {
    if (auto v = x.unavailable(role)) return *v;
    const Tolerance tol = x.tolerance(check);
    const Comparison cmp = compare(x.result(role).data, want.data, tol);
    if (cmp.ok) return {};
    if (!cmp.same_shape) return fail(role_words(role, x.inputs(role).Z.size() > 0) + ": got " + describe_shape(x.result(role)));
    return fail(role_words(role, x.inputs(role).Z.size() > 0) + ": " + mismatch_text(cmp, x.shape, tol));
}

Verdict check_shift_invariance(const Context& x) {
    // softmax(z + c) == softmax(z): compared with the student's own unshifted output
    return check_role(x, Role::shifted, "shift_invariance", x.got);
}

Verdict check_stability(const Context& x) {
    for (Role role : {Role::stable_hi, Role::stable_lo}) {
        const Value want = expected_value(x.c, role, x.inputs(role));
        Verdict v = check_role(x, role, "stability", want);
        if (!v.pass) return v;
    }
    return {};
}

Verdict check_repeatable(const Context& x) {
    if (auto v = x.unavailable(Role::again)) return *v;
    const Tolerance tol = x.tolerance("repeatable");
    const Comparison cmp = compare(x.result(Role::again).data, x.got.data, tol);
    if (cmp.ok) return {};
    const std::string at = where(x.shape, cmp.row, cmp.col);
    return fail("the same inputs gave a different result on a later call" + (at.empty() ? "" : " (at " + at + ")") +
                ": first " + format_number(cmp.expected) + ", then " + format_number(cmp.actual));
}

Verdict check_nonnegative(const Context& x) {
    const Inputs& in = x.inputs(Role::main);
    const double scale = std::max({1.0, in.z.size() ? in.z.cwiseAbs().maxCoeff() : 0.0,
                                   in.Z.size() ? in.Z.cwiseAbs().maxCoeff() : 0.0});
    const double tol = x.tolerance("nonnegative").abs * scale;
    const MatrixXd& m = x.got.data;
    for (Index i = 0; i < m.rows(); ++i)
        if (std::isnan(m(i, 0)) || m(i, 0) < -tol)
            return fail("loss " + (x.shape == Shape::vector ? "at " + where(x.shape, i, 0) + " " : std::string()) +
                        "is " + format_number(m(i, 0)) + ": cross-entropy is never negative");
    return {};
}

Verdict check_bounds(const Context& x) {
    const Eigen::VectorXd& z = x.inputs(Role::main).z;
    const double m = z.maxCoeff();
    const double finite = static_cast<double>((z.array() > -std::numeric_limits<double>::infinity()).count());
    const double lse = x.got.data(0, 0);
    if (std::isinf(m)) {  // every logit -inf: LSE is -inf (log 0)
        if (lse == m) return {};
        return fail("log_sum_exp gave " + format_number(lse) + ", but every logit is " + format_number(m) + ", so LSE is " +
                    format_number(m));
    }
    const double tol = x.tolerance("bounds").abs + x.tolerance("bounds").rel * std::abs(m);
    if (lse >= m - tol && lse <= m + std::log(finite) + tol) return {};
    return fail("log_sum_exp gave " + format_number(lse) + ", outside [max, max + log V] = [" + format_number(m) + ", " +
                format_number(m + std::log(finite)) + "]");
}

Verdict check_zero_sum(const Context& x) { return check_row_sums(x, "zero_sum", 0.0); }

Verdict check_negative_target(const Context& x) {
    const double tol = x.tolerance("negative_target").abs;
    const Inputs& in = x.inputs(Role::main);
    const MatrixXd g = x.shape == Shape::vector ? MatrixXd(x.got.data.transpose()) : x.got.data;
    for (Index n = 0; n < g.rows(); ++n) {
        Index t = in.target;
        if (x.shape == Shape::matrix) in.Y.row(n).maxCoeff(&t);
        const std::string row = x.shape == Shape::matrix ? "row " + std::to_string(n) + ": " : "";
        if (!(g(n, t) <= tol))
            return fail(row + "the target coordinate " + std::to_string(t) + " is " + format_number(g(n, t)) +
                        ", but p - 1 is never positive");
        for (Index i = 0; i < g.cols(); ++i)
            if (i != t && !(g(n, i) >= -tol))
                return fail(row + "coordinate " + std::to_string(i) + " (not the target) is " + format_number(g(n, i)) +
                            ", but p_i - 0 is never negative");
    }
    return {};
}

// ---- finite differences ------------------------------------------------------------------
// The reference loss as a function of the logits, on logits centred at their max (cross-entropy
// is shift invariant), so the loss values stay small and the difference quotient keeps its digits.
struct Loss {
    Exercise e;
    Inputs in;
    MatrixXd centre;  // logits minus their max (per row)

    double operator()(const MatrixXd& delta) const {
        if (e == Exercise::cross_entropy_grad)
            return reference().cross_entropy(Eigen::VectorXd(centre.col(0) + delta.col(0)), in.target);
        const Eigen::VectorXd losses = reference().cross_entropy_from_logits(centre + delta, in.Y);
        return in.reduction == Reduction::Mean ? losses.mean() : losses.sum();
    }
};

Verdict check_finite_difference(const Context& x) {
    const Tolerance tol = x.tolerance("finite_difference");
    const Exercise e = x.c.exercise;
    const Inputs& in = x.inputs(Role::main);
    Loss loss{e, in, {}};
    if (e == Exercise::cross_entropy_grad) {
        loss.centre = in.z.array() - in.z.maxCoeff();
    } else {
        loss.centre = in.Z.colwise() - Eigen::VectorXd(in.Z.rowwise().maxCoeff());
    }
    const MatrixXd& g = x.got.data;  // same layout as centre
    const double h = finite_difference_step;
    auto finite = [&](Index i, Index j) { return std::isfinite(loss.centre(i, j)); };

    auto along = [&](const MatrixXd& d, const std::string& what) -> std::optional<Verdict> {
        const double numeric = (loss(h * d) - loss(-h * d)) / (2 * h);
        double analytic = 0.0;
        for (Index j = 0; j < d.cols(); ++j)
            for (Index i = 0; i < d.rows(); ++i)
                if (d(i, j) != 0.0) analytic += d(i, j) * g(i, j);
        if (std::abs(analytic - numeric) <= tol.abs + tol.rel * std::abs(numeric)) return std::nullopt;
        return fail("along " + what + ": central differences of the loss give " + format_number(numeric) +
                    ", your gradient gives " + format_number(analytic) + " (allowed error " + tolerance_text(tol) + ")");
    };

    const MatrixXd zero = MatrixXd::Zero(loss.centre.rows(), loss.centre.cols());
    if (loss.centre.size() <= full_finite_difference_limit) {
        for (Index j = 0; j < zero.cols(); ++j) {
            for (Index i = 0; i < zero.rows(); ++i) {
                if (!finite(i, j)) continue;  // a masked logit: no neighbourhood to difference in
                MatrixXd d = zero;
                d(i, j) = 1.0;
                if (auto v = along(d, where(x.shape, i, j))) return *v;
            }
        }
        return {};
    }
    // Large cases: the target coordinate of the first example, then random unit directions
    // (a directional derivative costs two loss evaluations whatever the size).
    MatrixXd d = zero;
    Index t = in.target, row = 0;
    if (x.shape == Shape::matrix) in.Y.row(0).maxCoeff(&t);
    if (x.shape == Shape::matrix) d(0, t) = 1.0;
    else d(t, 0) = 1.0;
    if (auto v = along(d, "the target coordinate " + where(x.shape, row, t))) return *v;
    std::mt19937_64 rng(std::hash<std::string>{}(x.c.name));
    for (int k = 1; k <= 3; ++k) {
        for (Index j = 0; j < d.cols(); ++j)
            for (Index i = 0; i < d.rows(); ++i)
                d(i, j) = finite(i, j) ? static_cast<double>(static_cast<std::int64_t>(rng() % 2001) - 1000) : 0.0;
        d /= d.norm();
        if (auto v = along(d, "random direction " + std::to_string(k))) return *v;
    }
    return {};
}

Status status_for_reference_failure() { return Status::error; }

// The largest finite |logit| of the inputs (0 when there are none).
double max_abs_finite(const Inputs& in) {
    double m = 0.0;
    for (const double x : in.z) if (std::isfinite(x)) m = std::max(m, std::abs(x));
    for (const double x : in.Z.reshaped()) if (std::isfinite(x)) m = std::max(m, std::abs(x));
    return m;
}

}  // namespace

Tolerance default_tolerance(const std::string& check) {
    if (check == "values" || check == "analytic" || check == "stability" || check == "shift_invariance")
        return {1e-9, 1e-9};
    if (check == "repeatable") return {1e-12, 1e-12};
    if (check == "sums_to_one" || check == "zero_sum") return {1e-9, 0.0};
    if (check == "in_range" || check == "negative_target") return {1e-12, 0.0};
    if (check == "nonnegative") return {1e-12, 0.0};  // times max(1, max |logit|)
    if (check == "bounds") return {1e-9, 1e-12};
    if (check == "finite_difference") return {1e-6, 1e-4};
    return {1e-9, 1e-7};
}

std::vector<std::string> checks_for(const Case& c) {
    std::vector<std::string> list;
    for (const std::string& check : check_names(c.exercise)) {
        if (!c.checks.empty() && !has(c.checks, check)) continue;
        if (c.checks.empty()) {
            if (check == "negative_target" && c.exercise == Exercise::cross_entropy_grad_batch && !one_hot_rows(c.inputs.Y))
                continue;
            if (check == "repeatable" && c.expect_invalid_argument) continue;
        }
        list.push_back(check);
    }
    return list;
}

Value expected_value(const Case& c, Role role, const Inputs& inputs) {
    if (role == Role::main || role == Role::again) {
        if (c.expected) return *c.expected;
    }
    return call(reference(), c.exercise, inputs);
}

std::vector<CheckResult> judge(const CaseRun& run) {
    const Case& c = *run.c;
    const std::vector<std::string> checks = checks_for(c);
    std::vector<CheckResult> rows;
    for (const std::string& check : checks) {
        CheckResult r;
        r.exercise = c.exercise;
        r.check = check;
        r.case_name = c.name;
        r.visibility = c.visibility;
        r.max_points = c.points;
        rows.push_back(r);
    }
    auto finish = [&](CheckResult& r, const Verdict& v) {
        r.status = v.status;
        r.points = v.status == Status::pass ? r.max_points : 0.0;
        r.message = v.message;
    };

    const CallResult& main = run.results.at(Role::main);
    const Inputs& main_inputs = *run.inputs.at(Role::main);
    if (c.expect_invalid_argument) {
        // The submission could not be loaded at all: that is an error, not a wrong answer.
        const bool unloadable = main.outcome == Outcome::exception && main.text.rfind("could not load", 0) == 0;
        for (CheckResult& r : rows) {
            Verdict v = !unloadable && (main.outcome == Outcome::value || main.outcome == Outcome::invalid_argument ||
                                        main.outcome == Outcome::exception)
                            ? check_reduce_none(Context{run, c, Shape::scalar, main.value, main.value, {}})
                            : Verdict{false, outcome_text(main), status_of(main.outcome)};
            finish(r, v);
            if (v.status == Status::fail) {
                r.diagnosis = none_not_rejected_diagnosis().text;
                r.mistake = none_not_rejected_diagnosis().mistake;
            }
        }
        return rows;
    }
    if (main.outcome != Outcome::value) {
        for (CheckResult& r : rows) finish(r, Verdict{false, outcome_text(main), status_of(main.outcome)});
        return rows;
    }

    Value expected;
    try {
        expected = expected_value(c, Role::main, main_inputs);
    } catch (const std::exception& e) {
        for (CheckResult& r : rows)
            finish(r, Verdict{false, std::string("the reference rejects this case (an error in the case file): ") + e.what(),
                              status_for_reference_failure()});
        return rows;
    }
    const Shape shape = output_shape(c.exercise);
    // A loss LSE(z) - z_t is a difference of numbers as large as the logits, so its rounding error grows
    // with them: the absolute tolerance of values and stability gets 16 eps per unit of the largest
    // logit (shifted by up to 3000 for stability). Negligible for ordinary logits, needed at 1e7.
    const double logit_scale = max_abs_finite(main_inputs) + 3000.0;
    auto tolerance = [&c, logit_scale](const std::string& check) {
        for (const auto& [name, tol] : c.tolerances)
            if (name == check) return tol;
        Tolerance tol = default_tolerance(check);
        if (check == "values" || check == "stability") tol.abs += 16 * std::numeric_limits<double>::epsilon() * logit_scale;
        return tol;
    };
    const Context x{run, c, shape, main.value, expected, tolerance};
    const bool shape_ok = check_shape(x).pass;

    static const std::map<std::string, std::function<Verdict(const Context&)>> table{
        {"shape", check_shape},
        {"values", [](const Context& x) { return check_values(x, "values"); }},
        {"analytic", [](const Context& x) { return check_values(x, "analytic"); }},
        {"sums_to_one", [](const Context& x) { return check_row_sums(x, "sums_to_one", 1.0); }},
        {"in_range", check_in_range},
        {"shift_invariance", check_shift_invariance},
        {"stability", check_stability},
        {"repeatable", check_repeatable},
        {"nonnegative", check_nonnegative},
        {"bounds", check_bounds},
        {"finite_difference", check_finite_difference},
        {"zero_sum", check_zero_sum},
        {"negative_target", check_negative_target},
    };
    for (CheckResult& r : rows) {
        if (!shape_ok && r.check != "shape" && r.check != "values" && r.check != "analytic") {
            finish(r, Verdict{false, "skipped: the output has the wrong shape (" + check_shape(x).message + ")",
                              Status::skipped});
            continue;
        }
        try {
            finish(r, table.at(r.check)(x));
        } catch (const std::exception& e) {
            finish(r, Verdict{false, std::string("the reference rejects this case (an error in the case file): ") + e.what(),
                              Status::error});
        }
    }

    // What went wrong, in plain words: from the numbers when a wrong formula matches them, else from
    // the pattern of failed checks.
    auto failed = [&](const char* check) {
        return std::any_of(rows.begin(), rows.end(),
                           [&](const CheckResult& r) { return r.check == check && r.status == Status::fail; });
    };
    if (std::none_of(rows.begin(), rows.end(), [](const CheckResult& r) { return r.status == Status::fail; })) return rows;
    std::optional<Diagnosis> d;
    const bool main_wrong = !shape_ok || !compare(main.value.data, expected.data, tolerance("values")).ok;
    if (main_wrong) d = diagnose(c.exercise, main_inputs, main.value, expected);
    if (!d && failed("repeatable")) d = stateful_diagnosis();
    // Right on the case's own logits but wrong once they are shifted: the shifted call tells why. (Not
    // when the main call is wrong too: a formula that is wrong anyway explains nothing about stability.)
    if (!d && !main_wrong && failed("stability")) {
        for (Role role : {Role::stable_hi, Role::stable_lo}) {
            const CallResult& r = run.results.at(role);
            if (r.outcome != Outcome::value) continue;
            const Value want = expected_value(c, role, *run.inputs.at(role));
            if (compare(r.value.data, want.data, tolerance("stability")).ok) continue;
            d = diagnose(c.exercise, *run.inputs.at(role), r.value, want);
            // Overflow or underflow shows as inf or NaN where the answer is finite; a merely
            // imprecise result (float arithmetic, say) is not a missing max.
            const bool blew_up = (!r.value.data.array().isFinite() && want.data.array().isFinite()).any();
            if (!d && blew_up) d = unstable_diagnosis();
            break;
        }
    }
    if (d) {
        for (CheckResult& r : rows) {
            if (r.status != Status::fail) continue;
            r.diagnosis = d->text;
            r.mistake = d->mistake;
        }
    }
    // The inputs (elided when long) and the case's hint.
    for (CheckResult& r : rows) {
        if (r.status == Status::pass || r.status == Status::skipped) continue;
        if (r.diagnosis.empty()) r.hint = c.hint;  // a diagnosis says more than the case's general hint
        r.message = "case \"" + c.name + "\" (" + describe(c.exercise, main_inputs) + "): " + r.message;
    }
    return rows;
}

}  // namespace celab::grader
