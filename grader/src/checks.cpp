#include "checks.hpp"

#include "answers.hpp"
#include "check_kit.hpp"
#include "compare.hpp"
#include "diagnose.hpp"
#include "timings.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace celab::grader {

namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

const char* reduction_name(Reduction r) {
    switch (r) {
        case Reduction::Mean: return "Mean";
        case Reduction::Sum: return "Sum";
        case Reduction::None: return "None";
    }
    return "?";
}

// The inputs in words, short enough for one line: "logits [1, 2, 3], target 0".
std::string describe(const Descriptor& e, const Inputs& in) {
    auto vec = [](const Eigen::VectorXd& v) { return format_value(v, Shape::vector); };
    auto mat = [](const Eigen::MatrixXd& m) { return format_value(m, Shape::matrix); };
    std::string text;
    for (Field f : e.inputs) {
        std::string part;
        switch (f) {
            case Field::logits_vector: part = vec(in.z); break;
            case Field::target: part = std::to_string(in.target); break;
            case Field::logits_matrix: part = mat(in.Z); break;
            case Field::probs: part = mat(in.P); break;
            case Field::targets: part = mat(in.Y); break;
            case Field::label_smoothing: continue;  // already in the targets
            case Field::eps: part = format_number(in.eps); break;
            case Field::reduction: part = reduction_name(in.reduction); break;
            case Field::losses: part = vec(in.losses); break;
        }
        text += (text.empty() ? "" : ", ") + std::string(field_name(f)) + " " + part;
    }
    return text;
}

// What a case whose call must throw std::invalid_argument requires, and what it means when it does not.
Diagnosis rejection_rule(const Descriptor& e, const Inputs& in) {
    if (e.rejects && e.rejects->applies(in)) return {e.rejects->mistake, e.rejects->rule};
    return {"bad_input_accepted", "bad input must be rejected with std::invalid_argument"};
}

Verdict check_rejected(const Descriptor& e, const Inputs& in, const CallResult& r) {
    if (r.outcome == Outcome::invalid_argument) return {};
    const std::string rule = rejection_rule(e, in).text;
    if (r.outcome == Outcome::value) return kit::fail(rule + ", but it returned " + format_value(r.value.data, r.value.shape));
    return kit::fail(rule + ", but it " + outcome_text(r));
}

// Largest output a plot payload carries (entries); larger cases are judged but not drawn.
constexpr Eigen::Index max_plot_entries = 4096;

// The numbers of a visible failing case for the reports that draw them: expected and got, and for
// a gradient (the descriptor has a loss) the finite-difference error against the step at the worst
// entry, for the student's gradient and the reference's. Only the descriptor's loss is evaluated
// here (in the parent): the student's code is not called again.
std::shared_ptr<const Plot> make_plot(const Descriptor& e, const Inputs& in, const Value& got, const Value& expected,
                                      const Tolerance& tol) {
    if (got.shape == Shape::scalar || got.data.rows() != expected.data.rows() || got.data.cols() != expected.data.cols() ||
        got.data.size() == 0 || got.data.size() > max_plot_entries)
        return nullptr;
    auto plot = std::make_shared<Plot>();
    plot->shape = got.shape;
    plot->expected = expected.data;
    plot->got = got.data;
    const Comparison cmp = compare(got.data, expected.data, tol);
    if (e.loss && !cmp.ok && cmp.same_shape) {
        const bool columns = in.Z.size() == 0;
        const Eigen::MatrixXd logits = columns ? Eigen::MatrixXd(in.z) : in.Z;
        if (logits.rows() == got.data.rows() && logits.cols() == got.data.cols() &&
            std::isfinite(logits(cmp.row, cmp.col)) && std::isfinite(cmp.actual) && std::isfinite(cmp.expected)) {
            // Centred as in the finite_difference check, so the loss keeps its digits.
            const Eigen::MatrixXd centred = kit::centred_logits(in);
            Eigen::MatrixXd d = Eigen::MatrixXd::Zero(centred.rows(), centred.cols());
            d(cmp.row, cmp.col) = 1.0;
            plot->fd_row = cmp.row;
            plot->fd_col = cmp.col;
            try {
                for (int k = 2; k <= kit::plot_steps_last; ++k) {
                    const double h = kit::plot_step(k);
                    const double numeric = answers::difference_quotient(e, in, centred, d, h, kit::coordinate(cmp.row, cmp.col));
                    plot->fd_steps.push_back(h);
                    plot->fd_error_student.push_back(std::abs(numeric - cmp.actual));
                    plot->fd_error_reference.push_back(std::abs(numeric - cmp.expected));
                }
            } catch (const answers::NotFrozen&) {
                // a student release holds these only for small cases: no curve, the rest of the plot stays
                plot->fd_steps.clear();
                plot->fd_error_student.clear();
                plot->fd_error_reference.clear();
            }
        }
    }
    return plot;
}

}  // namespace

Status status_of(Outcome o) {
    switch (o) {
        case Outcome::value: return Status::pass;
        case Outcome::not_implemented: return Status::not_implemented;
        case Outcome::oversized:
        case Outcome::modified_input: return Status::fail;
        case Outcome::out_of_range: return Status::out_of_range;
        case Outcome::check_failed:
        case Outcome::invalid_argument:
        case Outcome::exception:
        case Outcome::unavailable:
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
        case Outcome::unavailable: return r.text;
        case Outcome::not_run: return "was not run";
        default: return r.text;
    }
}

Tolerance default_tolerance(Exercise e, const std::string& check) {
    const Check* c = e->check(check);
    return c != nullptr ? c->tolerance : Tolerance{1e-9, 1e-7};
}

std::vector<std::string> checks_for(const Case& c) {
    std::vector<std::string> list;
    // a call that must throw is judged once, under the check of the answer
    if (c.expect_invalid_argument && c.checks.empty()) {
        return {c.exercise->answer_check().name};
    }
    for (const Check& check : c.exercise->checks) {
        if (!c.checks.empty() && !has(c.checks, check.name)) continue;
        if (c.checks.empty() && check.applies && !check.applies(c)) continue;
        list.push_back(check.name);
    }
    return list;
}

Value expected_value(const Case& c, Role role, const Inputs& inputs) {
    if (role == Role::main || role == Role::again) {
        if (c.expected) return *c.expected;
    }
    return answers::for_case(c, role, inputs);
}

std::vector<CheckResult> judge(const CaseRun& run) {
    const Case& c = *run.c;
    const Descriptor& exercise = *c.exercise;
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
    const Inputs& main_inputs = run.input(Role::main);
    if (c.expect_invalid_argument) {
        // The submission could not be loaded at all: that is an error, not a wrong answer.
        const bool unloadable = main.outcome == Outcome::exception && main.text.rfind("could not load", 0) == 0;
        for (CheckResult& r : rows) {
            Verdict v = !unloadable && (main.outcome == Outcome::value || main.outcome == Outcome::invalid_argument ||
                                        main.outcome == Outcome::exception)
                            ? check_rejected(exercise, main_inputs, main)
                            : Verdict{false, outcome_text(main), status_of(main.outcome)};
            finish(r, v);
            if (v.status != Status::fail) continue;
            const Diagnosis rule = rejection_rule(exercise, main_inputs);
            r.mistake = rule.mistake;
            r.diagnosis = rule.mistake == "bad_input_accepted"
                              ? "accepted bad input: check the arguments first and throw std::invalid_argument naming "
                                "the function and the problem (include/celab/validate.hpp has helpers; "
                                "docs/exercises/ says what each function rejects)."
                              : exercise.rejects->text;
            r.hint = c.hint;
            r.message = "case \"" + c.name + "\" (" + describe(exercise, main_inputs) + "): " + r.message;
        }
        return rows;
    }
    if (main.outcome != Outcome::value) {
        for (CheckResult& r : rows) {
            finish(r, Verdict{false, outcome_text(main), status_of(main.outcome)});
            if (main.outcome != Outcome::modified_input) continue;
            r.mistake = modified_input_diagnosis().mistake;
            r.diagnosis = modified_input_diagnosis().text;
            r.message = "case \"" + c.name + "\" (" + describe(exercise, main_inputs) + "): " + r.message;
        }
        return rows;
    }

    Value expected;
    try {
        expected = expected_value(c, Role::main, main_inputs);
    } catch (const answers::NotFrozen& e) {
        for (CheckResult& r : rows) finish(r, Verdict{false, e.what(), Status::error});
        return rows;
    } catch (const std::exception& e) {
        for (CheckResult& r : rows)
            finish(r, Verdict{false, std::string("the reference rejects this case (an error in the case file): ") + e.what(),
                              Status::error});
        return rows;
    }
    const Shape shape = shape_of(exercise.output);
    // Rounding in z - m, or in LSE(z) - z_t, grows with the logits (shifted by up to 3000 for stability):
    // 16 eps per unit of the largest finite logit, negligible for ordinary logits, needed at 1e7. Outputs
    // as large as the logits get all of it; probabilities and gradients, which lie in [-1, 1], at most
    // 1e-6, so that huge logits never make any output pass.
    const double logit_term = 16 * std::numeric_limits<double>::epsilon() * (kit::max_abs_finite_logit(main_inputs) + 3000.0);
    auto tolerance = [&c, &exercise, logit_term](const std::string& check) {
        for (const auto& [name, tol] : c.tolerances)
            if (name == check) return tol;
        const Check* spec = exercise.check(check);
        Tolerance tol = spec != nullptr ? spec->tolerance : Tolerance{1e-9, 1e-7};
        if (spec != nullptr && spec->logit_scale == LogitScale::unbounded) tol.abs += logit_term;
        if (spec != nullptr && spec->logit_scale == LogitScale::bounded) tol.abs += std::min(logit_term, 1e-6);
        return tol;
    };
    const Context x{run, c, shape, main.value, expected, tolerance};
    // How close the main answer must be to count as right (for choosing a diagnosis).
    const Tolerance answer_tolerance = tolerance(exercise.answer_check().name);
    const Verdict shape_verdict = kit::shape().run(x);

    std::optional<Diagnosis> known;  // a mistake a check recognised itself
    for (CheckResult& r : rows) {
        const Check& check = *exercise.check(r.check);
        if (!shape_verdict.pass && check.needs_shape) {
            finish(r, Verdict{false, "skipped: the output has the wrong shape (" + shape_verdict.message + ")",
                              Status::skipped});
            continue;
        }
        try {
            const auto started = std::chrono::steady_clock::now();
            const Verdict v = check.run(x);
            finish(r, v);
            if (!v.mistake.empty() && !known) known = Diagnosis{v.mistake, v.diagnosis};
            if (timings::enabled())
                timings::add("parent: check " + r.check,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        } catch (const answers::NotFrozen& e) {
            finish(r, Verdict{false, e.what(), Status::error});
        } catch (const std::exception& e) {
            finish(r, Verdict{false, std::string("the reference rejects this case (an error in the case file): ") + e.what(),
                              Status::error});
        }
        run.forget_made_inputs();  // no check keeps a reference to them
    }

    // What went wrong, in plain words: from the numbers when a wrong formula matches them, else from
    // the pattern of failed checks.
    auto failed = [&](const char* check) {
        return std::any_of(rows.begin(), rows.end(),
                           [&](const CheckResult& r) { return r.check == check && r.status == Status::fail; });
    };
    if (std::none_of(rows.begin(), rows.end(), [](const CheckResult& r) { return r.status == Status::fail; })) return rows;
    std::optional<Diagnosis> d;
    const bool main_wrong = !shape_verdict.pass || !compare(main.value.data, expected.data, answer_tolerance).ok;
    if (main_wrong) d = diagnose(c.exercise, main_inputs, main.value, expected);
    // a call that wrote into its inputs says why its later calls went wrong
    for (const auto& [role, r] : run.results)
        if (!d && r.outcome == Outcome::modified_input) d = modified_input_diagnosis();
    if (!d && known) d = known;
    if (!d && failed("repeatable")) d = stateful_diagnosis();
    // Right on the case's own logits but wrong once they are shifted: the shifted call tells why. (Not
    // when the main call is wrong too: a formula that is wrong anyway explains nothing about stability.)
    if (!d && !main_wrong && failed("stability")) {
        for (Role role : {Role::stable_hi, Role::stable_lo}) {
            const CallResult& r = run.results.at(role);
            if (r.outcome != Outcome::value) continue;
            const Inputs& in = run.input(role);
            const Value want = expected_value(c, role, in);
            if (compare(r.value.data, want.data, tolerance("stability")).ok) continue;
            d = diagnose(c.exercise, in, r.value, want);
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
    // Drawn only where the case's own answer is wrong (a case failing only on shifted logits, say,
    // would show two equal curves).
    if (c.visibility == Visibility::visible && main_wrong) {
        std::shared_ptr<const Plot> plot;
        try {
            plot = make_plot(exercise, main_inputs, main.value, expected, answer_tolerance);
        } catch (const std::exception&) {
            plot = nullptr;  // a loss the reference rejects: no plot, the rows already say why
        }
        for (CheckResult& r : rows)
            if (r.status == Status::fail) r.plot = plot;
    }
    // The inputs (elided when long) and the case's hint.
    for (CheckResult& r : rows) {
        if (r.status == Status::pass || r.status == Status::skipped) continue;
        if (r.diagnosis.empty()) r.hint = c.hint;  // a diagnosis says more than the case's general hint
        r.message = "case \"" + c.name + "\" (" + describe(exercise, main_inputs) + "): " + r.message;
    }
    return rows;
}

void ask_every_question(const Case& c) {
    if (c.expect_invalid_argument) return;  // judged without an answer
    const Descriptor& e = *c.exercise;
    const std::vector<std::string> checks = checks_for(c);
    std::vector<Role> roles = roles_for(c, checks);
    if (std::find(roles.begin(), roles.end(), Role::main) == roles.end()) roles.insert(roles.begin(), Role::main);
    for (Role role : roles) {
        const Inputs in = inputs_for(c, role);
        Value want;
        try {
            want = answers::of(e, in);
        } catch (const std::exception&) {
            continue;  // the reference rejects these inputs: judge() says so, no answer to keep
        }
        if ((role == Role::main || role == Role::again) && c.expected) want = *c.expected;
        ask_every_question(c.exercise, in, want);
    }
    if (!e.loss) return;
    const Inputs in = inputs_for(c, Role::main);
    const Eigen::MatrixXd centred = kit::centred_logits(in);
    auto ask = [&](const Eigen::MatrixXd& d, const std::string& name, double h) {
        try {
            (void)answers::difference_quotient(e, in, centred, d, h, name);
        } catch (const std::exception&) {
        }
    };
    if (has(checks, std::string("finite_difference")))
        kit::for_each_direction(c, in, centred, [&](const Eigen::MatrixXd& d, const std::string& name, const std::string&) {
            ask(d, name, kit::finite_difference_step);
            return true;
        });
    // The report's curve at the worst entry, which depends on the submission: every entry of a small
    // visible case (larger ones are drawn without the curve in a student release).
    if (c.visibility != Visibility::visible || centred.size() > kit::full_finite_difference_limit) return;
    for (Eigen::Index j = 0; j < centred.cols(); ++j)
        for (Eigen::Index i = 0; i < centred.rows(); ++i) {
            if (!std::isfinite(centred(i, j))) continue;
            Eigen::MatrixXd d = Eigen::MatrixXd::Zero(centred.rows(), centred.cols());
            d(i, j) = 1.0;
            for (int k = 2; k <= kit::plot_steps_last; ++k) ask(d, kit::coordinate(i, j), kit::plot_step(k));
        }
}

}  // namespace celab::grader
