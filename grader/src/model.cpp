#include "model.hpp"

#include <algorithm>

namespace celab::grader {

const char* name(Status s) {
    switch (s) {
        case Status::pass: return "pass";
        case Status::fail: return "fail";
        case Status::error: return "error";
        case Status::crash: return "crash";
        case Status::timeout: return "timeout";
        case Status::not_implemented: return "not_implemented";
        case Status::skipped: return "skipped";
        case Status::out_of_range: return "out_of_range";
    }
    return "unknown";
}

const char* name(Scoring s) { return s == Scoring::per_check ? "per_check" : "mastery"; }

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
