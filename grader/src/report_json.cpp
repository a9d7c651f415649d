// The JSON report: one document, one entry per (exercise, check, case) row.
//
//   {"score", "max_score", "seed", "submission",
//    "checks": [{"exercise", "check", "case", "visibility", "status", "points", "max_points",
//                "mastery_points", "mastery_max_points", "message", "diagnosis", "mistake"}],
//    "student_output": {exercise: text, each case's part under 'case "NAME":'},
//    "build_errors": {exercise: its file's first error, readable, with the path of the full log},
//    "build_warnings": {exercise: the warnings of its file}}
//
// A row's points include its piece of the exercise's mastery share ("mastery_points" of
// "mastery_max_points"; model.hpp, Scoring), so "score" and "max_score" are the sums of the rows.
// Hidden rows keep their status and points; their message and diagnosis are "".
#include "reports.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace celab::grader::reports {

namespace {
const char* visibility_name(Visibility v) { return v == Visibility::hidden ? "hidden" : "visible"; }

nlohmann::json texts_by_exercise(const std::vector<std::pair<Exercise, std::string>>& texts) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [exercise, text] : texts) object[name(exercise)] = text;
    return object;
}
}  // namespace

void write_json(std::ostream& out, const Report& report) {
    nlohmann::json checks = nlohmann::json::array();
    for (const CheckResult& row : report.checks) {
        const bool hidden = row.withheld();
        checks.push_back({
            {"exercise", name(row.exercise)},
            {"check", row.check},
            {"case", row.case_name},
            {"visibility", visibility_name(row.visibility)},
            {"status", name(row.status)},
            {"points", row.points},
            {"max_points", row.max_points},
            {"mastery_points", row.mastery_points},
            {"mastery_max_points", row.mastery_max_points},
            {"message", hidden ? std::string() : row.message},
            {"diagnosis", hidden ? std::string() : row.diagnosis},
            {"mistake", hidden ? std::string() : row.mistake},  // stable id of the diagnosis (docs/checks.md)
        });
    }
    const nlohmann::json document = {
        {"score", detail::tidy_points(report.score())},
        {"max_score", detail::tidy_points(report.max_score())},
        {"seed", report.seed},
        {"submission", report.submission},
        {"checks", std::move(checks)},
        {"student_output", texts_by_exercise(report.student_output)},
        {"build_errors", texts_by_exercise(report.build_errors)},
        {"build_warnings", texts_by_exercise(report.build_warnings)},
    };
    // Student output may hold any bytes: invalid UTF-8 becomes U+FFFD instead of throwing.
    out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace celab::grader::reports
