// The Gradescope autograder results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
//
//   {"score", "output", "visibility": "visible", "stdout_visibility": "hidden",
//    "tests": [{"name": "EXERCISE / CHECK / CASE", "score", "max_score", "status": "passed"|"failed",
//               "output", "visibility": "visible" | "after_published" (hidden cases)}]}
//
// Hidden rows show their verdict only. The top-level output holds the progress summary, compiler
// output and the student's own output; the latter only for exercises without hidden cases, since
// a submission could print the inputs it was given.
#include "reports.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace celab::grader::reports {

namespace {

std::string test_output(const CheckResult& row) {
    if (row.withheld() || row.visibility == Visibility::hidden) {  // students read it, whatever the view
        return std::string("hidden case: ") + detail::status_phrase(row.status) +
               (row.status == Status::pass ? "" : " (the details of hidden cases are not shown)");
    }
    if (row.status == Status::pass) return "passed";
    std::string text = detail::status_phrase(row.status);
    if (row.status == Status::not_implemented) text += " — edit " + std::string(source_file(row.exercise)) + ".cpp";
    if (!row.message.empty()) text += "\n" + row.message;
    if (!row.diagnosis.empty()) text += "\nLikely mistake: " + row.diagnosis;
    return detail::printable(text);
}

// `text` made printable, without its trailing newlines.
std::string block(const std::string& text) {
    std::string out = detail::printable(text);
    out.erase(out.find_last_not_of('\n') + 1);
    return out;
}

std::string overall_output(const Report& report) {
    std::size_t exercises = 0;
    std::size_t complete = 0;
    std::string extras;
    for (Exercise exercise : all_exercises()) {
        bool any = false;
        bool passed = true;
        bool hidden = false;
        for (const CheckResult& row : report.checks) {
            if (row.exercise != exercise) continue;
            any = true;
            passed = passed && row.status == Status::pass;
            hidden = hidden || row.visibility == Visibility::hidden;
        }
        if (any) {
            ++exercises;
            if (passed) ++complete;
        }
        const std::string& compiler = detail::build_errors(report, exercise);
        if (!compiler.empty()) {
            extras += "\nCompiler output for " + std::string(source_file(exercise)) + ".cpp (" + name(exercise) +
                      "):\n" + block(compiler) + "\n";
        }
        const std::string& warnings = detail::build_warnings(report, exercise);
        if (!warnings.empty()) {
            extras += "\nCompiler warnings for " + std::string(source_file(exercise)) + ".cpp (" + name(exercise) +
                      "):\n" + block(warnings) + "\n";
        }
        const std::string& output = detail::student_output(report, exercise);
        if (!output.empty()) {
            extras += "\nOutput printed by your code (" + std::string(name(exercise)) + "):\n" +
                      (hidden ? std::string("(not shown: this exercise has hidden cases)") : block(output)) +
                      "\n";
        }
    }
    return "Exercises complete: " + std::to_string(complete) + "/" + std::to_string(exercises) + "\nScore: " +
           detail::format_points(report.score()) + "/" + detail::format_points(report.max_score()) + "\nseed " +
           std::to_string(report.seed) + "\n" + extras;
}

}  // namespace

void write_gradescope(std::ostream& out, const Report& report) {
    nlohmann::json tests = nlohmann::json::array();
    for (const CheckResult& row : report.checks) {
        tests.push_back({
            {"name", std::string(name(row.exercise)) + " / " + row.check + " / " + row.case_name},
            {"score", row.points},
            {"max_score", row.max_points},
            {"status", row.status == Status::pass ? "passed" : "failed"},
            {"output", test_output(row)},
            {"visibility", row.visibility == Visibility::hidden ? "after_published" : "visible"},
        });
    }
    const nlohmann::json document = {
        {"score", report.score()},
        {"output", overall_output(report)},
        {"visibility", "visible"},
        {"stdout_visibility", "hidden"},
        {"tests", std::move(tests)},
    };
    out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace celab::grader::reports
