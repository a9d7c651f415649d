// An exercise as the grader knows it: everything about one function of the API, in one place.
//
// Each exercise is one file in grader/registry/ (NAME.cpp, defining registry::describe_NAME()); its
// name and stub file come from the one list grader/abi/functions.def, which also makes the ABI table
// and the fallbacks. The machinery (case_file, generate, calls, checks, diagnose, the reports) reads
// descriptors and knows no exercise by name. How to add one: docs/instructors.md, "Adding an exercise".
#pragma once

#include "calls.hpp"
#include "model.hpp"
#include "submission_abi.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace celab::grader {

// The inputs an exercise can take. Each is a field of a case file ("logits", "target", ...), read
// and validated by case_file.cpp, drawn by generate.cpp and held in one member of Inputs.
enum class Field {
    logits_vector,    // "logits": [V], "-inf" allowed (masked)            -> Inputs::z
    target,           // "target": a class index of logits_vector           -> Inputs::target
    logits_matrix,    // "logits": [N,V], "-inf" allowed                    -> Inputs::Z
    probs,            // "probs": [N,V] in [0, 1]                           -> Inputs::P
    targets,          // "targets": class indices or distributions, [N,V]   -> Inputs::Y
    label_smoothing,  // "label_smoothing": optional, with class indices    -> folded into Inputs::Y
    eps,              // "eps": optional clamp                              -> Inputs::eps
    reduction,        // "reduction": "mean", "sum" or "none"               -> Inputs::reduction
    losses,           // "losses": [N]                                      -> Inputs::losses
};
// The case-file name of a field.
const char* field_name(Field f);

// What the function returns, and so the shape of "expected" in a case file.
enum class Output {
    scalar,      // one number
    per_logit,   // [V]: one value per logit of logits_vector
    per_row,     // [N]: one value per row of the batch (logits_matrix or probs)
    per_entry,   // [N,V]: the shape of logits_matrix
};
Shape shape_of(Output o);

// ---- checks ------------------------------------------------------------------------------------
struct Verdict {
    Verdict() = default;
    Verdict(bool passed, std::string text, Status s) : pass(passed), message(std::move(text)), status(s) {}

    bool pass = true;
    std::string message;
    Status status = Status::pass;  // pass or fail, or the status of a call that did not return
    std::string mistake;           // when the check itself knows the mistake (a diagnosis id), and
    std::string diagnosis;         // what it is in plain words
};

// One case's calls while it is judged. The inputs of a role not given in `inputs` (the shifted, stable
// and varied ones) are made from the case when asked for (inputs_for) and kept until forget_made_inputs():
// judge() forgets them after each check, so that a large case's shifted copies do not all exist at once.
struct CaseRun {
    const Case* c = nullptr;
    std::map<Role, const Inputs*> inputs;
    std::map<Role, CallResult> results;

    const Inputs& input(Role role) const;
    void forget_made_inputs() const { made_.clear(); }

private:
    mutable std::map<Role, std::unique_ptr<const Inputs>> made_;
};

// Everything a check can look at.
struct Context {
    const CaseRun& run;
    const Case& c;
    Shape shape;
    const Value& got;       // the main call's output
    const Value& expected;  // the right answer for the main call
    std::function<Tolerance(const std::string&)> tolerance;

    // The verdict of a call of `role` that did not return a value, if it did not.
    std::optional<Verdict> unavailable(Role role) const;
    const Value& result(Role role) const { return run.results.at(role).value; }
    const Inputs& inputs(Role role) const { return run.input(role); }
};

// How a check's tolerance grows with the size of the logits: rounding in z - m, or in LSE(z) - z_t, is
// about eps times the largest logit, so logits of 1e7 leave an honest error of about 1e-9.
enum class LogitScale {
    none,       // outputs that do not depend on the size of the logits
    unbounded,  // outputs as large as the logits (LSE, losses, log-probabilities): abs += 16 eps (max |z| + 3000)
    bounded,    // outputs in [-1, 1] (probabilities, gradients): the same term, but never more than 1e-6
};

struct Check {
    std::string name;
    Tolerance tolerance;                        // the default; a case may override it
    std::function<Verdict(const Context&)> run;
    std::vector<Role> roles;                    // the calls it needs besides main
    LogitScale logit_scale = LogitScale::none;  // how the absolute tolerance grows with the logits
    bool needs_shape = true;                    // skipped when the output has the wrong shape
    std::function<bool(const Case&)> applies;   // runs by default only where this holds (empty: everywhere)
    bool compares_answer = false;               // judges the output against the right answer (kit::values)
};

// ---- diagnoses ----------------------------------------------------------------------------------
// A classic wrong formula: the mistake it embodies and what it outputs on the same inputs.
struct Candidate {
    std::string mistake;  // stable id, e.g. "no_max_subtraction"
    std::string text;     // what the student most likely did, and what to do instead
    std::function<Eigen::MatrixXd()> output;
    // Instead of `output`: decides from the student's output itself, returning the text when it matches.
    std::function<std::optional<std::string>(const Eigen::MatrixXd& got)> match;
};

// ---- the descriptor -----------------------------------------------------------------------------
struct Descriptor {
    std::string name;  // the function, from grader/abi/functions.def
    std::string file;  // the stub file that defines it (exercises/FILE.cpp), from functions.def

    std::vector<Field> inputs;  // in the order of the function's parameters
    Output output = Output::scalar;
    // Calls the function of `functions` (a submission's, or the reference's) on `in`.
    std::function<Value(const abi::SubmissionTable& functions, const Inputs& in)> call;
    std::vector<Check> checks;  // in the order they run and are reported

    bool all_masked_allowed = false;       // a logits vector of only "-inf" is a valid input
    bool infinite_logits_allowed = false;  // "+inf" logits are valid input (the answer is +inf)
    // Reductions of generated cases whose block names none, cycled by case number.
    std::vector<Reduction> generated_reductions;
    // The loss whose gradient the output is (finite_difference): on the case's inputs with the logits
    // replaced by `logits` (same layout as the output).
    std::function<double(const Inputs& in, const Eigen::MatrixXd& logits)> loss;

    // Inputs the function must reject with std::invalid_argument.
    struct Rejection {
        std::function<bool(const Inputs&)> applies;
        std::string rule;     // "Reduction::None must throw std::invalid_argument"
        std::string mistake;  // the diagnosis when it does not
        std::string text;
    };
    std::optional<Rejection> rejects;

    // The classic wrong formulas on `in`, given the right answer.
    std::function<std::vector<Candidate>(const Inputs& in, const Value& expected)> candidates;

    // How a student release keeps a large answer (grader/answers/): the log-sum-exp of each row of
    // `logits(in)` (one number per example, not one per logit), from which `expand(in, lse)` gives the
    // answer again. Empty: the answer is kept whole.
    struct Compact {
        std::function<Eigen::MatrixXd(const Inputs& in)> logits;
        std::function<Value(const Inputs& in, const Eigen::VectorXd& lse)> expand;
    };
    std::optional<Compact> compact;

    bool takes(Field f) const;
    const Check* check(const std::string& name) const;
    // The check that compares the output with the right answer ("values", or "analytic" for a
    // gradient): it judges a call that must throw, and its tolerance is the answer's.
    const Check& answer_check() const;
};

namespace registry {
// Every exercise, in the order of grader/abi/functions.def.
const std::vector<Descriptor>& descriptors();
}  // namespace registry

}  // namespace celab::grader
