// The grader's data model: exercises, cases, values, check results and the report.
// Everything here is plain data; loading (case_file), judging (checks) and writing (report_*)
// live in their own files.
#pragma once

#include <celab/exercises.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace celab::grader {

// ---- exercises --------------------------------------------------------------------------
// One exercise per function of the API, named exactly as the function. An Exercise points at its
// descriptor (descriptor.hpp, one file per exercise in grader/registry/); the list of them is
// grader/abi/functions.def.
struct Descriptor;
using Exercise = const Descriptor*;

// Every exercise, in report order.
const std::vector<Exercise>& all_exercises();
const char* name(Exercise e);
std::optional<Exercise> exercise_from_name(const std::string& name);
// exercise_from_name, or std::out_of_range naming the valid exercises.
Exercise exercise_named(const std::string& name);
// The stub file that defines the exercise: "softmax", "loss" or "gradient".
const char* source_file(Exercise e);
// The checks of an exercise, in the order they run. "shape" (where present) comes first and is
// the prerequisite of the others: when it fails they are reported as skipped.
std::vector<std::string> check_names(Exercise e);

// ---- values -------------------------------------------------------------------------------
// What a function returns: a scalar (1x1), a vector (Vx1) or a matrix (NxV).
enum class Shape { scalar, vector, matrix };

struct Value {
    Shape shape = Shape::scalar;
    Eigen::MatrixXd data;  // scalar: 1x1; vector: Vx1; matrix: NxV
};

// ---- cases --------------------------------------------------------------------------------
enum class Visibility { visible, hidden };

struct Tolerance {
    double abs = 0.0;  // passes when |actual - expected| <= abs + rel * |expected|
    double rel = 0.0;
};

// The inputs of one call. Each exercise reads only the members of the fields it takes (descriptor.hpp,
// Field): z (a logits vector), target, Z (a logits matrix), P, Y, eps, reduction, losses.
struct Inputs {
    Eigen::VectorXd z;
    int target = 0;
    Eigen::MatrixXd Z;
    Eigen::MatrixXd P;
    Eigen::MatrixXd Y;
    double eps = 1e-7;
    Reduction reduction = Reduction::Mean;
    Eigen::VectorXd losses;
};

struct Case {
    Exercise exercise = nullptr;
    std::string name;        // unique within its exercise; generated cases are "NAME#K"
    std::string file;        // the case file it came from, for messages
    Visibility visibility = Visibility::visible;
    double points = 1.0;     // per check of this case
    std::vector<std::string> checks;  // the checks to run; empty means every check that applies
    std::vector<std::pair<std::string, Tolerance>> tolerances;  // per-check overrides
    std::string hint;        // shown when a check of this case fails (visible cases only)
    Inputs inputs;
    std::optional<Value> expected;  // from the file; otherwise the reference computes it
    bool expect_invalid_argument = false;  // the call must throw (Descriptor::rejects)
};

// ---- results --------------------------------------------------------------------------------
// out_of_range: an index outside a vector or matrix (Eigen's checks, the standard library's assertions).
enum class Status { pass, fail, error, crash, timeout, not_implemented, skipped, out_of_range };
const char* name(Status s);

// The numbers behind a visible failing case, for reports that draw them (the HTML report). Never
// filled for hidden cases. Shared by the rows of one case.
struct Plot {
    Shape shape = Shape::scalar;
    Eigen::MatrixXd expected;  // the right answer of the main call
    Eigen::MatrixXd got;       // the student's answer (same shape, or the plot is not made)
    // Exercises whose output is the gradient of a loss (Descriptor::loss): the error of the central
    // difference (L(z + h e_i) - L(z - h e_i)) / 2h against entry i of the student's gradient and
    // of the reference's, for each step h, at the worst entry i (fd_row, fd_col). Empty otherwise.
    std::vector<double> fd_steps, fd_error_student, fd_error_reference;
    Eigen::Index fd_row = 0, fd_col = 0;
};

struct CheckResult {
    Exercise exercise = nullptr;
    std::string check;
    std::string case_name;
    Visibility visibility = Visibility::visible;
    Status status = Status::fail;
    double points = 0.0;      // earned, under the course's scoring (course_file.hpp, apply_points)
    double max_points = 0.0;
    // The part of points / max_points that is this row's piece of its exercise's mastery share (the
    // "mastery" scoring: earned only when every row of the exercise passes); 0 under "per_check".
    double mastery_points = 0.0;
    double mastery_max_points = 0.0;
    // The row's raw weight: its case's "points" per check, before the course's scoring scaled it.
    // 0 until course::apply_points first sees the row (it takes max_points then).
    double weight = 0.0;
    std::string message;    // what went wrong: case, worst index, expected, actual (hidden: verdict only)
    std::string diagnosis;  // the likely mistake in plain words, when the grader can tell
    std::string mistake;    // stable id of that mistake (see diagnose.hpp), e.g. "no_max_subtraction"
    std::string hint;       // the case's hint, on rows that did not pass (visible cases only)
    std::shared_ptr<const Plot> plot;  // failing rows of a visible case whose own answer is wrong (vector or matrix)
    bool instructor_view = false;  // graded for the instructor (GradeSettings::instructor_view)
    // A hidden case's inputs, expected values, message and diagnosis are withheld from this report's
    // reader (a student); never for visible cases, nor in the instructor's view.
    bool withheld() const { return visibility == Visibility::hidden && !instructor_view; }
};

// How an exercise's points are split over its rows (the course file's "scoring", docs/instructors.md).
//   mastery    every exercise is worth the same points (course_file.hpp: default_points, or the course's
//              "points"); half of them are spread over its rows by weight and earned row by row, the
//              other half (the mastery share) only when every row of the exercise passes.
//   per_check  each row is worth its case's "points" (raw weights), scaled to the course's points of
//              its exercise when it has some.
enum class Scoring { mastery, per_check };
const char* name(Scoring s);

struct Report {
    std::vector<CheckResult> checks;
    std::vector<std::pair<Exercise, std::string>> student_output;  // captured, truncated, per exercise
    std::vector<std::pair<Exercise, std::string>> build_errors;    // compiler output per failed exercise
    std::vector<std::pair<Exercise, std::string>> build_warnings;  // warnings of its file, per compiled exercise
    unsigned long long seed = 0;
    std::string submission;  // the folder graded
    std::string note;        // said once by the text report, e.g. that the sandbox is the portable fallback
    bool instructor_view = false;  // hidden cases shown in full (GradeSettings::instructor_view)

    double score() const;
    double max_score() const;
    bool all_passed() const;
};

}  // namespace celab::grader
