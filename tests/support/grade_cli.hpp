// Running ./grade's command line in the test's own process (grader/src/cli.hpp): its exit status and
// what it wrote to stdout and stderr.
#pragma once

#include "cli.hpp"

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace celab::test {

struct GradeRun {
    int status = -1;
    std::string out, err;
};

// `args` without the program name, e.g. {"--library", path, "--format", "json"}.
inline GradeRun grade_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "celab-grade");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    GradeRun r;
    r.status = celab::grader::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

// The rows of a JSON report that did not pass, one per line, for an assertion's message: when right code
// loses points on a loaded machine, the log says which check and why.
inline std::string rows_not_passed(const std::string& json_report) {
    const nlohmann::json report = nlohmann::json::parse(json_report, nullptr, false);
    if (report.is_discarded() || !report.contains("checks")) return "(no JSON report)";
    std::string rows;
    for (const nlohmann::json& row : report.at("checks"))
        if (row.value("status", "") != "pass") rows += row.dump() + "\n";
    return rows;
}

}  // namespace celab::test
