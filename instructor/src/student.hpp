// One student of a class, as the batch grades them: their status, points per exercise and the
// rows the class summary counts. Saved as DIR/students/NAME/record.json, so that a rerun can reuse
// a student whose files did not change (batch.cpp) and still write the class's gradebook.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace celab::course {

// How the grading of one student went (docs/class-grading.md, "Statuses"), most serious first: a
// student gets the first that applies.
enum class StudentStatus {
    refused,        // the folder, or one of its three files, was not taken (symbolic link, not a regular file, too large, unreadable)
    missing_files,  // softmax.cpp, loss.cpp or gradient.cpp is absent
    compile_error,  // a file does not compile, or the files do not link
    timeout,        // a check ran out of CPU time (or hit the wall-clock backstop)
    crash,          // a check's process died (a signal: segfault, abort, memory limit)
    ok,             // everything compiled and ran: the points say how well
    grader_error,   // the grader itself failed on this student (a bug: please report it)
};
const char* name(StudentStatus status);

// One check of one case, as the summary needs it. Hidden cases are included, with their mistake
// (this is the instructor's view; the student's reports never show it).
struct Row {
    std::string exercise, check, case_name;
    bool hidden = false;
    std::string status;   // grader::name(Status): pass, fail, error, crash, timeout, ...
    std::string mistake;  // diagnosed mistake id, or ""
};

struct StudentResult {
    std::string name;          // the folder's name, byte for byte
    std::string fingerprint;   // files + cases + grader + settings (fingerprint.hpp)
    StudentStatus status = StudentStatus::ok;
    std::string reason;        // why the status is not ok, in plain words ("" for ok)
    bool graded = false;       // false when the folder itself was refused: no points, no rows
    std::vector<std::pair<std::string, double>> points;  // per exercise, in report order
    double total = 0.0, max = 0.0;
    std::vector<Row> rows;
    // Not saved: this run's facts.
    bool reused = false;       // taken from the previous run (fingerprint unchanged)
    double compile_cpu = 0.0, grade_cpu = 0.0;  // CPU seconds (compilers; sandbox children + judging)
};

nlohmann::json to_json(const StudentResult& student);
// Throws nlohmann::json::exception (or std::invalid_argument) when `j` is not a saved record.
StudentResult student_from_json(const nlohmann::json& j);

}  // namespace celab::course
