#include "model.hpp"

#include <algorithm>

namespace celab::grader {

const char* name(Exercise e) {
    switch (e) {
        case Exercise::softmax: return "softmax";
        case Exercise::softmax_rows: return "softmax_rows";
        case Exercise::log_sum_exp: return "log_sum_exp";
        case Exercise::cross_entropy: return "cross_entropy";
        case Exercise::cross_entropy_from_probs: return "cross_entropy_from_probs";
        case Exercise::cross_entropy_from_logits: return "cross_entropy_from_logits";
        case Exercise::reduce: return "reduce";
        case Exercise::cross_entropy_grad: return "cross_entropy_grad";
        case Exercise::cross_entropy_grad_batch: return "cross_entropy_grad_batch";
    }
    return "unknown";
}

std::optional<Exercise> exercise_from_name(const std::string& text) {
    for (Exercise e : all_exercises) {
        if (text == name(e)) return e;
    }
    return std::nullopt;
}

const char* source_file(Exercise e) {
    switch (e) {
        case Exercise::softmax:
        case Exercise::softmax_rows:
        case Exercise::log_sum_exp: return "softmax";
        case Exercise::cross_entropy:
        case Exercise::cross_entropy_from_probs:
        case Exercise::cross_entropy_from_logits:
        case Exercise::reduce: return "loss";
        case Exercise::cross_entropy_grad:
        case Exercise::cross_entropy_grad_batch: return "gradient";
    }
    return "unknown";
}

const std::vector<std::string>& check_names(Exercise e) {
    static const std::vector<std::string> softmax{"shape", "values", "sums_to_one", "in_range",
                                                  "shift_invariance", "stability", "repeatable"};
    static const std::vector<std::string> log_sum_exp{"values", "bounds", "stability", "repeatable"};
    static const std::vector<std::string> cross_entropy{"values", "nonnegative", "stability", "repeatable"};
    static const std::vector<std::string> from_probs{"shape", "values", "nonnegative", "repeatable"};
    static const std::vector<std::string> from_logits{"shape", "values", "nonnegative", "stability", "repeatable"};
    static const std::vector<std::string> reduce{"values", "repeatable"};
    static const std::vector<std::string> gradient{"shape",          "analytic",  "finite_difference", "zero_sum",
                                                   "negative_target", "stability", "repeatable"};
    switch (e) {
        case Exercise::softmax:
        case Exercise::softmax_rows: return softmax;
        case Exercise::log_sum_exp: return log_sum_exp;
        case Exercise::cross_entropy: return cross_entropy;
        case Exercise::cross_entropy_from_probs: return from_probs;
        case Exercise::cross_entropy_from_logits: return from_logits;
        case Exercise::reduce: return reduce;
        case Exercise::cross_entropy_grad:
        case Exercise::cross_entropy_grad_batch: return gradient;
    }
    return reduce;
}

const char* name(Status s) {
    switch (s) {
        case Status::pass: return "pass";
        case Status::fail: return "fail";
        case Status::error: return "error";
        case Status::crash: return "crash";
        case Status::timeout: return "timeout";
        case Status::not_implemented: return "not_implemented";
        case Status::skipped: return "skipped";
    }
    return "unknown";
}

double Report::score() const {
    double total = 0.0;
    for (const CheckResult& c : checks) total += c.points;
    return total;
}

double Report::max_score() const {
    double total = 0.0;
    for (const CheckResult& c : checks) total += c.max_points;
    return total;
}

bool Report::all_passed() const {
    return std::all_of(checks.begin(), checks.end(), [](const CheckResult& c) { return c.status == Status::pass; });
}

}  // namespace celab::grader
