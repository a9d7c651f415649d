#include "case_file.hpp"

#include "descriptor.hpp"
#include "generate.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace celab::grader::cases {

namespace {

using json = nlohmann::json;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double distribution_tolerance = 1e-6;  // as celab::validate::distributions
constexpr double max_points = 1e6;                 // per check; keeps every score finite

// ---- messages ---------------------------------------------------------------------------------

// Where a problem is: the file, the case (when inside one) and the field (when there is one).
struct Where {
    std::string file;
    std::string case_label;  // `case "NAME"`, or `case 3` before the name is known; empty at file level

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
        std::string message = file;
        if (!case_label.empty()) message += ": " + case_label;
        if (!field.empty()) message += ": field \"" + field + "\"";
        throw LoadError(message + ": " + problem);
    }
};

std::string num(double x) {
    if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
    std::ostringstream out;
    out.precision(12);
    out << x;
    return out.str();
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// "a", "b" or "c" (`last` joins the last two: "or" for a choice, "and" for a list).
std::string quoted_list(const std::vector<std::string>& items, const char* last = "or") {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? std::string(" ") + last + " " : std::string(", ");
        out += in_quotes(items[i]);
    }
    return out;
}

// A short printable form of a JSON value, for messages.
std::string shown(const json& j) {
    std::string text = j.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

std::string kind(const json& j) {
    switch (j.type()) {
        case json::value_t::object: return "an object";
        case json::value_t::array: return "an array";
        case json::value_t::string: return "the string " + shown(j);
        case json::value_t::boolean: return "a boolean";
        case json::value_t::null: return "null";
        default: return "the number " + shown(j);
    }
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// " (did you mean "tolerance"?)" when one allowed name is close to `text`.
std::string did_you_mean(const std::string& text, const std::vector<std::string>& allowed) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, text.size() / 3) + 1;
    for (const std::string& candidate : allowed) {
        const std::size_t d = edit_distance(text, candidate);
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return best.empty() ? "" : " (did you mean " + in_quotes(best) + "?)";
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

// ---- the inputs of each exercise (its descriptor's fields) ------------------------------------

const std::vector<std::string> all_input_fields{"logits", "target",    "targets", "label_smoothing",
                                                "probs",  "reduction", "eps",     "losses"};

std::vector<std::string> input_fields(Exercise e) {
    std::vector<std::string> out;
    for (Field f : e->inputs) out.emplace_back(field_name(f));
    return out;
}

bool optional_input(Field f) { return f == Field::label_smoothing || f == Field::eps; }

std::vector<std::string> required_inputs(Exercise e) {
    std::vector<std::string> out;
    for (Field f : e->inputs) {
        if (!optional_input(f)) out.emplace_back(field_name(f));
    }
    return out;
}

// Takes several examples (rows) or several losses.
bool is_batch(Exercise e) {
    return e->takes(Field::logits_matrix) || e->takes(Field::probs) || e->takes(Field::losses);
}

bool takes_logits(Exercise e) { return e->takes(Field::logits_vector) || e->takes(Field::logits_matrix); }

std::vector<std::string> generate_fields(Exercise e) {
    std::vector<std::string> out{"count", "scale"};
    if (takes_logits(e) || e->takes(Field::probs)) out.push_back("classes");
    if (is_batch(e)) out.push_back("rows");
    if (takes_logits(e)) {
        out.push_back("offset");
        out.push_back("mask");
    }
    if (e->takes(Field::targets)) {
        out.push_back("soft_targets");
        out.push_back("label_smoothing");
    }
    if (e->takes(Field::reduction)) out.push_back("reduction");
    if (e->takes(Field::target)) out.push_back("target");
    if (e->takes(Field::probs)) {
        out.push_back("zero_probs");
        out.push_back("eps");
    }
    return out;
}

const std::vector<std::string> grading_fields{"visibility", "points", "tolerance", "hint"};

std::vector<std::string> case_fields(Exercise e) {
    std::vector<std::string> out{"name",      "checks",   "points",   "visibility", "hint",
                                 "tolerance", "expected", "generate", "throws"};
    for (const std::string& f : input_fields(e)) out.push_back(f);
    return out;
}

std::vector<std::string> exercise_names() {
    std::vector<std::string> out;
    for (Exercise e : all_exercises()) out.emplace_back(name(e));
    return out;
}

// ---- typed access to JSON values -------------------------------------------------------------

const json* find(const json& object, const std::string& key) {
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

void reject_unknown(const json& object, const std::vector<std::string>& allowed, const Where& where,
                    const std::string& prefix, const std::string& place) {
    for (const auto& item : object.items()) {
        if (contains(allowed, item.key())) continue;
        where.fail(prefix + item.key(), "unknown field" + did_you_mean(item.key(), allowed) + "; the fields of " +
                                            place + " are " + quoted_list(allowed, "and"));
    }
}

std::string get_string(const json& j, const Where& where, const std::string& field) {
    if (!j.is_string()) where.fail(field, "is " + kind(j) + ", not a string; write it in double quotes");
    return j.get<std::string>();
}

bool get_bool(const json& j, const Where& where, const std::string& field) {
    if (!j.is_boolean()) where.fail(field, "is " + kind(j) + ", not true or false");
    return j.get<bool>();
}

long long get_integer(const json& j, const Where& where, const std::string& field, const std::string& what) {
    if (!j.is_number_integer()) where.fail(field, "is " + kind(j) + ", not " + what + "; write a whole number such as 3");
    if (j.is_number_unsigned() && j.get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX))
        where.fail(field, j.dump() + " is far too large for " + what);
    return j.get<long long>();
}

// Which numbers a field accepts.
enum class Numbers {
    finite,    // finite numbers only
    masked,    // also "-inf" (a masked logit)
    infinite,  // also "inf" and "-inf" (expected values; the logits of a function defined for them)
    any,       // also "nan" (the inputs of a case that must be rejected)
};

double get_number(const json& j, const Where& where, const std::string& field, Numbers allowed = Numbers::finite) {
    const std::string rule =
        allowed == Numbers::masked     ? "logits must be finite numbers or the string \"-inf\" (a masked class)"
        : allowed == Numbers::infinite ? "write a finite number, \"inf\" or \"-inf\""
        : allowed == Numbers::any      ? "write a finite number, \"inf\", \"-inf\" or \"nan\""
                                       : "write a finite number (only logits may be \"-inf\")";
    if (j.is_number()) {
        const double x = j.get<double>();
        if (!std::isfinite(x)) where.fail(field, shown(j) + " does not fit in a double; " + rule);
        return x;
    }
    if (j.is_string()) {
        const std::string text = j.get<std::string>();
        if (allowed != Numbers::finite && text == "-inf") return -inf;
        if ((allowed == Numbers::infinite || allowed == Numbers::any) && text == "inf") return inf;
        if (allowed == Numbers::any && text == "nan") return std::numeric_limits<double>::quiet_NaN();
        where.fail(field, in_quotes(text) + " is not allowed; " + rule);
    }
    where.fail(field, "is " + kind(j) + ", not a number; " + rule);
}

double get_in_range(const json& j, const Where& where, const std::string& field, double lo, bool lo_open, double hi,
                    bool hi_open, const std::string& advice) {
    const double x = get_number(j, where, field);
    const bool ok = (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
    if (!ok) {
        where.fail(field, num(x) + " is outside " + (lo_open ? "(" : "[") + num(lo) + ", " + num(hi) +
                              (hi_open ? ")" : "]") + "; " + advice);
    }
    return x;
}

// A vector; an empty one only where anything goes (a case that must be rejected).
Eigen::VectorXd get_vector(const json& j, const Where& where, const std::string& field, Numbers allowed,
                           const std::string& example) {
    if (!j.is_array()) where.fail(field, "is " + kind(j) + ", not an array of numbers; write it like " + example);
    if (j.empty() && allowed == Numbers::any) return Eigen::VectorXd();
    if (j.empty()) where.fail(field, "is empty; give at least one entry, like " + example);
    if (j.front().is_array()) {
        where.fail(field, "is a matrix (an array of arrays), but this exercise takes one vector; write it like " +
                              example);
    }
    Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
    for (std::size_t i = 0; i < j.size(); ++i) {
        v[static_cast<Eigen::Index>(i)] =
            get_number(j[i], where, field + "[" + std::to_string(i) + "]", allowed);
    }
    return v;
}

Eigen::MatrixXd get_matrix(const json& j, const Where& where, const std::string& field, Numbers allowed) {
    const std::string example = "[[1, 2, 3], [4, 5, 6]] (one row per example)";
    if (!j.is_array()) where.fail(field, "is " + kind(j) + ", not a matrix; write it as an array of rows, like " + example);
    if (j.empty() && allowed == Numbers::any) return Eigen::MatrixXd();
    if (j.empty()) where.fail(field, "is empty; give at least one row, like " + example);
    for (std::size_t n = 0; n < j.size(); ++n) {
        const std::string at = field + "[" + std::to_string(n) + "]";
        if (!j[n].is_array()) {
            where.fail(at, "is " + kind(j[n]) + ", not a row; write a matrix as an array of rows, like " + example);
        }
        if (j[n].empty()) where.fail(at, "is an empty row; every row needs at least one class");
        if (j[n].size() != j[0].size()) {
            where.fail(field, "row " + std::to_string(n) + " has " + std::to_string(j[n].size()) +
                                  " entries but row 0 has " + std::to_string(j[0].size()) +
                                  " (a ragged matrix); every row needs the same number of classes");
        }
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(j.size()), static_cast<Eigen::Index>(j[0].size()));
    for (std::size_t n = 0; n < j.size(); ++n) {
        for (std::size_t i = 0; i < j[n].size(); ++i) {
            m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(i)) = get_number(
                j[n][i], where, field + "[" + std::to_string(n) + "][" + std::to_string(i) + "]", allowed);
        }
    }
    return m;
}

std::string shape_text(Eigen::Index rows, Eigen::Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

// Every row needs a finite logit, or its softmax is 0/0.
void require_finite_logit_per_row(const Eigen::MatrixXd& Z, const Where& where, bool is_matrix) {
    for (Eigen::Index n = 0; n < Z.rows(); ++n) {
        if (Z.row(n).array().isFinite().any()) continue;
        where.fail("logits", std::string(is_matrix ? "row " + std::to_string(n) + ": every" : "every") +
                                 " logit is \"-inf\", so the softmax is undefined; leave at least one class unmasked");
    }
}

Reduction get_reduction(const json& j, const Where& where, const std::string& field) {
    const std::string text = get_string(j, where, field);
    if (text == "mean") return Reduction::Mean;
    if (text == "sum") return Reduction::Sum;
    if (text == "none") return Reduction::None;
    where.fail(field, in_quotes(text) + " is not a reduction" + did_you_mean(text, {"mean", "sum", "none"}) +
                          "; use \"mean\", \"sum\" or \"none\"");
}

// ---- grading fields (shared by "defaults" and each case) ----------------------------------------

void parse_tolerances(const json& j, Exercise exercise, const Where& where, const std::string& field,
                      std::vector<std::pair<std::string, Tolerance>>& tolerances) {
    const std::vector<std::string>& checks = check_names(exercise);
    if (!j.is_object()) {
        where.fail(field, "is " + kind(j) + ", not an object; write it like {\"" + checks.front() +
                              "\": {\"abs\": 1e-9, \"rel\": 1e-7}}");
    }
    for (const auto& item : j.items()) {
        const std::string at = field + "." + item.key();
        if (!contains(checks, item.key())) {
            where.fail(at, "unknown check" + did_you_mean(item.key(), checks) + "; the checks of " + name(exercise) +
                               " are " + quoted_list(checks, "and"));
        }
        if (!item.value().is_object()) {
            where.fail(at, "is " + kind(item.value()) + ", not an object; write it like {\"abs\": 1e-9, \"rel\": 1e-7}");
        }
        reject_unknown(item.value(), {"abs", "rel"}, where, at + ".", "a tolerance");
        Tolerance t;
        const std::string advice = "a tolerance is a finite number >= 0 (actual passes when |actual - expected| <= "
                                   "abs + rel * |expected|)";
        if (const json* a = find(item.value(), "abs")) t.abs = get_in_range(*a, where, at + ".abs", 0, false, inf, true, advice);
        if (const json* r = find(item.value(), "rel")) t.rel = get_in_range(*r, where, at + ".rel", 0, false, inf, true, advice);
        const auto it = std::find_if(tolerances.begin(), tolerances.end(),
                                     [&](const auto& entry) { return entry.first == item.key(); });
        if (it != tolerances.end()) {
            it->second = t;  // a case's own tolerance replaces the file default for that check
        } else {
            tolerances.emplace_back(item.key(), t);
        }
    }
}

// Reads visibility, points, tolerance and hint from `j` (a case or "defaults") into `c`.
void parse_grading(const json& j, const Where& where, const std::string& prefix, Case& c) {
    if (const json* v = find(j, "visibility")) {
        const std::string text = get_string(*v, where, prefix + "visibility");
        if (text == "visible") {
            c.visibility = Visibility::visible;
        } else if (text == "hidden") {
            c.visibility = Visibility::hidden;
        } else {
            where.fail(prefix + "visibility", in_quotes(text) + " is not a visibility; use \"visible\" (students see "
                                                             "inputs and values) or \"hidden\" (name and verdict only)");
        }
    }
    if (const json* p = find(j, "points")) {
        c.points = get_in_range(*p, where, prefix + "points", 0, true, max_points, false,
                                "points are per check and must be > 0 and at most 1e6 (omit the case to give it no "
                                "weight)");
    }
    if (const json* t = find(j, "tolerance")) parse_tolerances(*t, c.exercise, where, prefix + "tolerance", c.tolerances);
    if (const json* h = find(j, "hint")) c.hint = get_string(*h, where, prefix + "hint");
}

// ---- targets ----------------------------------------------------------------------------------

struct Targets {
    Eigen::MatrixXd Y;
    bool soft = false;  // some row is not exactly one-hot
};

bool is_one_hot(const Eigen::MatrixXd& Y, Eigen::Index n) {
    int ones = 0;
    for (Eigen::Index i = 0; i < Y.cols(); ++i) {
        if (Y(n, i) == 1.0) {
            ++ones;
        } else if (Y(n, i) != 0.0) {
            return false;
        }
    }
    return ones == 1;
}

// "targets": class indices (made one-hot, with optional label smoothing) or a matrix of distributions,
// for N rows of V classes of `against` (the name of the other input, for messages).
// With `bad_input` (a case that must be rejected) a matrix of targets is taken as it is.
Targets parse_targets(const json& c, Eigen::Index rows, Eigen::Index classes, const std::string& against,
                      const Where& where, bool bad_input) {
    const json& j = c.at("targets");
    const std::string example = "class indices [0, 2, 1] or distributions [[1, 0], [0.5, 0.5]]";
    double smoothing = 0.0;
    const json* a = find(c, "label_smoothing");
    if (a != nullptr) {
        smoothing = get_in_range(*a, where, "label_smoothing", 0, false, 1, true,
                                 "use 0 <= a < 1 (0.1 is typical): y = (1 - a) onehot + a / V");
    }
    if (!j.is_array()) where.fail("targets", "is " + kind(j) + ", not an array; give " + example);
    if (j.empty()) where.fail("targets", "is empty; give one target per row: " + example);
    Targets t;
    if (j.front().is_array()) {
        if (a != nullptr) {
            where.fail("label_smoothing", "applies to class indices only, but \"targets\" is a matrix of "
                                          "distributions; smooth the rows yourself or give class indices");
        }
        t.Y = get_matrix(j, where, "targets", bad_input ? Numbers::any : Numbers::finite);
        if (bad_input) return t;
        if (t.Y.rows() != rows || t.Y.cols() != classes) {
            where.fail("targets", "is " + shape_text(t.Y.rows(), t.Y.cols()) + " but " + against + " is " +
                                      shape_text(rows, classes) +
                                      "; give one row per example with one entry per class");
        }
        for (Eigen::Index n = 0; n < rows; ++n) {
            for (Eigen::Index i = 0; i < classes; ++i) {
                const double y = t.Y(n, i);
                if (y < 0.0 || y > 1.0 + distribution_tolerance) {
                    where.fail("targets[" + std::to_string(n) + "][" + std::to_string(i) + "]",
                               num(y) + " is not in [0, 1]; each target row must be a probability distribution");
                }
            }
            const double sum = t.Y.row(n).sum();
            if (std::abs(sum - 1.0) > distribution_tolerance) {
                where.fail("targets", "row " + std::to_string(n) + " sums to " + num(sum) +
                                          ", not 1; each row must be a probability distribution (entries in "
                                          "[0, 1] summing to 1 within 1e-6), or give class indices instead");
            }
            t.Y.row(n) /= sum;  // exactly 1, so that the reference's gradient rows sum to 0 (zero_sum)
            t.soft = t.soft || !is_one_hot(t.Y, n);
        }
        return t;
    }
    if (static_cast<Eigen::Index>(j.size()) != rows) {
        where.fail("targets", "has " + std::to_string(j.size()) + " class indices but " + against + " has " +
                                  std::to_string(rows) + " rows; give one class index per row");
    }
    t.Y = Eigen::MatrixXd::Zero(rows, classes);
    for (Eigen::Index n = 0; n < rows; ++n) {
        const std::string at = "targets[" + std::to_string(n) + "]";
        const long long index = get_integer(j[static_cast<std::size_t>(n)], where, at, "a class index");
        if (index < 0 || index >= classes) {
            where.fail(at, std::to_string(index) + " is out of range for " + std::to_string(classes) +
                               " classes; use 0.." + std::to_string(classes - 1));
        }
        // y = (1 - a) onehot + a / V
        if (smoothing > 0.0) t.Y.row(n).setConstant(smoothing / static_cast<double>(classes));
        t.Y(n, static_cast<Eigen::Index>(index)) += 1.0 - smoothing;
        t.soft = t.soft || !is_one_hot(t.Y, n);
    }
    return t;
}

// A target weight on a masked logit makes the loss +inf (and its finite difference meaningless).
void reject_weight_on_masked(const Eigen::MatrixXd& Z, const Eigen::MatrixXd& Y, bool smoothed, const Where& where) {
    for (Eigen::Index n = 0; n < Z.rows(); ++n) {
        for (Eigen::Index i = 0; i < Z.cols(); ++i) {
            if (!(std::isinf(Z(n, i)) && Y(n, i) > 0.0)) continue;
            where.fail("targets", "row " + std::to_string(n) + " puts weight " + num(Y(n, i)) + " on class " +
                                      std::to_string(i) + ", whose logit is \"-inf\" (masked), so the loss is "
                                      "infinite; give masked classes target 0" +
                                      (smoothed ? " (label smoothing gives every class a / V, so it cannot be "
                                                  "combined with masked logits)"
                                                : ""));
        }
    }
}

// ---- literal inputs ---------------------------------------------------------------------------

// Reads the literal inputs of `c` into `out`; returns whether the targets are soft. With `bad_input` (a
// case whose call must throw std::invalid_argument) any numbers, empty inputs and inconsistent ones are taken
// as they are, within what Eigen can hold (no ragged matrices, class indices within range).
bool parse_inputs(const json& c, const Where& where, Case& out, bool bad_input) {
    const Exercise e = out.exercise;
    for (const std::string& f : required_inputs(e)) {
        if (find(c, f) == nullptr) {
            where.fail(f, "missing; a " + std::string(name(e)) + " case needs " + quoted_list(required_inputs(e), "and") +
                              " (or a \"generate\" block instead)");
        }
    }
    Inputs& in = out.inputs;
    bool soft = false;
    const Numbers logits_numbers = bad_input ? Numbers::any : e->infinite_logits_allowed ? Numbers::infinite : Numbers::masked;
    // The batch the targets belong to (logits or probs), for their shape and messages.
    const Eigen::MatrixXd* batch = nullptr;
    std::string batch_name;
    for (Field f : e->inputs) {
        switch (f) {
            case Field::logits_vector:
                in.z = get_vector(c.at("logits"), where, "logits", logits_numbers, "[1.0, 2.0, \"-inf\"]");
                // a softmax needs one finite logit; some functions (log_sum_exp) are defined for all -inf
                if (!e->all_masked_allowed && !bad_input) require_finite_logit_per_row(in.z.transpose(), where, false);
                break;
            case Field::target: {
                const long long t = get_integer(c.at("target"), where, "target", "a class index");
                const Eigen::Index v = in.z.size();
                if (t < INT_MIN || t > INT_MAX) where.fail("target", std::to_string(t) + " does not fit in an int");
                if (!bad_input && (t < 0 || t >= v)) {
                    where.fail("target", std::to_string(t) + " is out of range for " + std::to_string(v) +
                                             " logits; use 0.." + std::to_string(v - 1));
                }
                if (!bad_input && std::isinf(in.z[static_cast<Eigen::Index>(t)])) {
                    where.fail("target", "class " + std::to_string(t) +
                                             " is masked (its logit is \"-inf\"), so the loss is infinite; pick a "
                                             "class with a finite logit");
                }
                in.target = static_cast<int>(t);
                break;
            }
            case Field::logits_matrix:
                in.Z = get_matrix(c.at("logits"), where, "logits", logits_numbers);
                if (!bad_input) require_finite_logit_per_row(in.Z, where, true);
                batch = &in.Z;
                batch_name = "logits";
                break;
            case Field::probs:
                in.P = get_matrix(c.at("probs"), where, "probs", bad_input ? Numbers::any : Numbers::finite);
                for (Eigen::Index n = 0; n < in.P.rows() && !bad_input; ++n) {
                    for (Eigen::Index i = 0; i < in.P.cols(); ++i) {
                        if (in.P(n, i) >= 0.0 && in.P(n, i) <= 1.0) continue;
                        where.fail("probs[" + std::to_string(n) + "][" + std::to_string(i) + "]",
                                   num(in.P(n, i)) + " is not a probability; each entry must lie in [0, 1]");
                    }
                }
                batch = &in.P;
                batch_name = "probs";
                break;
            case Field::targets: {
                const Targets t = parse_targets(c, batch->rows(), batch->cols(), batch_name, where, bad_input);
                if (batch == &in.Z && !bad_input)
                    reject_weight_on_masked(in.Z, t.Y, find(c, "label_smoothing") != nullptr, where);
                in.Y = t.Y;
                soft = t.soft;
                break;
            }
            case Field::label_smoothing: break;  // read with the targets
            case Field::eps:
                if (const json* eps = find(c, "eps")) {
                    in.eps = bad_input ? get_number(*eps, where, "eps", Numbers::any)
                                       : get_in_range(*eps, where, "eps", 0, true, 1, true,
                                                      "eps is the clamp of log(max(p, eps)); the default is 1e-7");
                }
                break;
            case Field::reduction: in.reduction = get_reduction(c.at("reduction"), where, "reduction"); break;
            case Field::losses:
                in.losses = get_vector(c.at("losses"), where, "losses", bad_input ? Numbers::any : Numbers::finite,
                                       "[0.5, 1.25, 2.0]");
                break;
        }
    }
    out.expect_invalid_argument = bad_input || (e->rejects && e->rejects->applies(in));
    return soft;
}

// "expected": the shape of the function's output.
Value parse_expected(const json& j, const Case& c, const Where& where) {
    const Exercise e = c.exercise;
    const Inputs& in = c.inputs;
    Value v;
    v.shape = shape_of(e->output);
    switch (e->output) {
        case Output::per_logit: {
            v.data = get_vector(j, where, "expected", Numbers::infinite, "[0.25, 0.75]");
            if (v.data.rows() != in.z.size()) {
                where.fail("expected", "has " + std::to_string(v.data.rows()) + " entries but logits has " +
                                           std::to_string(in.z.size()) + "; " + name(e) +
                                           " returns one value per logit");
            }
            break;
        }
        case Output::per_entry: {
            v.data = get_matrix(j, where, "expected", Numbers::infinite);
            if (v.data.rows() != in.Z.rows() || v.data.cols() != in.Z.cols()) {
                where.fail("expected", "is " + shape_text(v.data.rows(), v.data.cols()) + " but logits is " +
                                           shape_text(in.Z.rows(), in.Z.cols()) + "; " + name(e) +
                                           " returns a matrix of the shape of its logits");
            }
            break;
        }
        case Output::per_row: {
            const Eigen::Index rows = e->takes(Field::logits_matrix) ? in.Z.rows() : in.P.rows();
            v.data = get_vector(j, where, "expected", Numbers::infinite, "[0.41, 2.3] (one loss per row)");
            if (v.data.rows() != rows) {
                where.fail("expected", "has " + std::to_string(v.data.rows()) + " entries but there are " +
                                           std::to_string(rows) + " rows; " + name(e) + " returns one loss per row");
            }
            break;
        }
        case Output::scalar: {
            if (c.expect_invalid_argument) {
                where.fail("expected", (e->rejects ? e->rejects->rule : std::string("the call must throw")) +
                                           " for these inputs, so there is no expected value; remove \"expected\"");
            }
            v.data = Eigen::MatrixXd::Constant(1, 1, get_number(j, where, "expected", Numbers::infinite));
            break;
        }
    }
    return v;
}

// ---- generate blocks --------------------------------------------------------------------------

std::pair<long long, long long> get_int_range(const json& j, const Where& where, const std::string& field,
                                              long long lo, long long hi) {
    const std::string rule = "use a whole number or [min, max] with " + std::to_string(lo) + " <= min <= max <= " +
                             std::to_string(hi);
    std::pair<long long, long long> r;
    if (j.is_array()) {
        if (j.size() != 2) where.fail(field, "has " + std::to_string(j.size()) + " entries; " + rule);
        r = {get_integer(j[0], where, field + "[0]", "a whole number"),
             get_integer(j[1], where, field + "[1]", "a whole number")};
    } else {
        const long long v = get_integer(j, where, field, "a whole number or [min, max]");
        r = {v, v};
    }
    if (r.first < lo || r.second > hi || r.first > r.second) {
        where.fail(field, "[" + std::to_string(r.first) + ", " + std::to_string(r.second) + "] is not valid; " + rule);
    }
    return r;
}

std::pair<double, double> get_real_range(const json& j, const Where& where, const std::string& field, double lo,
                                         bool lo_open, double hi, const std::string& rule) {
    std::pair<double, double> r;
    if (j.is_array()) {
        if (j.size() != 2) where.fail(field, "has " + std::to_string(j.size()) + " entries; " + rule);
        r = {get_number(j[0], where, field + "[0]"), get_number(j[1], where, field + "[1]")};
    } else {
        const double v = get_number(j, where, field);
        r = {v, v};
    }
    const bool low_ok = lo_open ? r.first > lo : r.first >= lo;
    if (!low_ok || r.second > hi || r.first > r.second) {
        where.fail(field, "[" + num(r.first) + ", " + num(r.second) + "] is not valid; " + rule);
    }
    return r;
}

GenerateSpec parse_generate(const json& g, Exercise e, const Where& where) {
    if (!g.is_object()) {
        where.fail("generate", "is " + kind(g) + ", not an object; write it like {\"count\": 5, \"classes\": [2, 300]}");
    }
    reject_unknown(g, generate_fields(e), where, "generate.", "a " + std::string(name(e)) + " generate block");
    GenerateSpec s;
    if (const json* j = find(g, "count")) {
        const long long count = get_integer(*j, where, "generate.count", "a number of cases");
        if (count < 1 || count > max_generate_count) {
            where.fail("generate.count", std::to_string(count) + " is outside 1.." + std::to_string(max_generate_count) +
                                             "; generate between 1 and " + std::to_string(max_generate_count) +
                                             " cases per block");
        }
        s.count = static_cast<int>(count);
    }
    if (const json* j = find(g, "classes")) s.classes = get_int_range(*j, where, "generate.classes", 1, max_generated_entries);
    if (const json* j = find(g, "rows")) s.rows = get_int_range(*j, where, "generate.rows", 1, max_generated_entries);
    if (!is_batch(e)) s.rows = {1, 1};
    if (!takes_logits(e) && !e->takes(Field::probs)) s.classes = {1, 1};
    if (const json* j = find(g, "scale")) {
        s.scale = get_real_range(*j, where, "generate.scale", 0, true, 1e300,
                                 "use a number or [min, max] with 0 < min <= max (drawn log-uniformly per row)");
    }
    if (const json* j = find(g, "offset")) {
        s.offset = get_real_range(*j, where, "generate.offset", -1e300, false, 1e300,
                                  "use a number or [min, max] with min <= max (drawn uniformly per row)");
    }
    if (const json* j = find(g, "soft_targets")) s.soft_targets = get_bool(*j, where, "generate.soft_targets");
    if (const json* j = find(g, "label_smoothing")) {
        s.label_smoothing = get_in_range(*j, where, "generate.label_smoothing", 0, false, 1, true,
                                         "use 0 <= a < 1 (0.1 is typical)");
    }
    if (const json* j = find(g, "mask")) {
        s.mask = get_in_range(*j, where, "generate.mask", 0, false, 1, true,
                              "mask is the probability that a logit is \"-inf\"; use 0 <= mask < 1");
    }
    if (const json* j = find(g, "reduction")) s.reduction = get_reduction(*j, where, "generate.reduction");
    if (const json* j = find(g, "zero_probs")) {
        s.zero_probs = get_in_range(*j, where, "generate.zero_probs", 0, false, 1, true,
                                    "zero_probs is the probability that a prob is exactly 0; use 0 <= zero_probs < 1");
    }
    if (const json* j = find(g, "eps")) {
        s.eps = get_in_range(*j, where, "generate.eps", 0, true, 1, true, "the default is 1e-7");
    }
    if (const json* j = find(g, "target")) {
        const long long t = get_integer(*j, where, "generate.target", "a class index");
        if (t < 0 || t >= s.classes.first) {
            where.fail("generate.target", std::to_string(t) + " is not a class of every generated case (\"classes\" "
                                          "starts at " + std::to_string(s.classes.first) + "); use 0.." +
                                          std::to_string(s.classes.first - 1) + " or raise the smallest \"classes\"");
        }
        s.target = t;
    }
    if (s.soft_targets && s.label_smoothing > 0.0) {
        where.fail("generate.label_smoothing", "cannot be combined with \"soft_targets\": smoothing applies to "
                                               "one-hot targets; choose one");
    }
    if (s.mask > 0.0 && s.label_smoothing > 0.0) {
        where.fail("generate.mask", "cannot be combined with \"label_smoothing\": smoothing gives every class a / V, "
                                    "including masked ones whose logit is \"-inf\", so the loss is infinite");
    }
    const double entries = static_cast<double>(s.rows.second) * static_cast<double>(s.classes.second);
    if (entries > static_cast<double>(max_generated_entries)) {
        where.fail("generate", "up to " + std::to_string(s.rows.second) + " rows x " +
                                   std::to_string(s.classes.second) + " classes is " + num(entries) +
                                   " entries per case, more than the limit of " +
                                   std::to_string(max_generated_entries) + "; lower \"rows\" or \"classes\"");
    }
    if (entries * s.count > static_cast<double>(max_generated_entries_per_block)) {
        where.fail("generate", std::to_string(s.count) + " cases of up to " + num(entries) + " entries is " +
                                   num(entries * s.count) + " entries, more than the limit of " +
                                   std::to_string(max_generated_entries_per_block) +
                                   " per generate block; lower \"count\", \"rows\" or \"classes\"");
    }
    return s;
}

// ---- one case ---------------------------------------------------------------------------------

void parse_checks(const json& j, Case& c, const Where& where) {
    const std::vector<std::string>& valid = check_names(c.exercise);
    if (!j.is_array()) where.fail("checks", "is " + kind(j) + ", not an array; write it like [\"" + valid.front() + "\"]");
    if (j.empty()) {
        where.fail("checks", "is empty; omit \"checks\" to run every check, or list some of " + quoted_list(valid, "and"));
    }
    c.checks.clear();
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string at = "checks[" + std::to_string(i) + "]";
        const std::string check = get_string(j[i], where, at);
        if (!contains(valid, check)) {
            where.fail(at, "unknown check " + in_quotes(check) + did_you_mean(check, valid) + "; the checks of " +
                               name(c.exercise) + " are " + quoted_list(valid, "and"));
        }
        if (contains(c.checks, check)) where.fail(at, in_quotes(check) + " is listed twice; list each check once");
        c.checks.push_back(check);
    }
}

// One case of the file (generated cases expand into several).
std::vector<Case> parse_case(const json& j, std::size_t index, const Case& defaults, const Where& file_where,
                             unsigned long long seed) {
    Where where = file_where;
    where.case_label = "case " + std::to_string(index + 1);
    if (!j.is_object()) {
        where.fail("", "is " + kind(j) + ", not an object; each case is an object like {\"name\": \"uniform\", ...}");
    }
    const json* name_field = find(j, "name");
    if (name_field == nullptr) where.fail("name", "missing; give every case a unique name, like \"uniform\"");
    Case c = defaults;
    c.name = get_string(*name_field, where, "name");
    if (c.name.empty()) where.fail("name", "is empty; give every case a unique name, like \"uniform\"");
    if (std::any_of(c.name.begin(), c.name.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }))
        where.fail("name", "contains a control character (a newline or tab, say); use letters, digits, '_', '-' and '.'");
    where.case_label = "case " + in_quotes(c.name);

    const Exercise e = c.exercise;
    for (const auto& item : j.items()) {
        if (contains(case_fields(e), item.key())) continue;
        if (contains(all_input_fields, item.key())) {
            where.fail(item.key(), std::string("is not an input of ") + name(e) + ", which takes " +
                                       quoted_list(input_fields(e), "and") + "; remove it");
        }
        where.fail(item.key(), "unknown field" + did_you_mean(item.key(), case_fields(e)) + "; the fields of a " +
                                   name(e) + " case are " + quoted_list(case_fields(e), "and"));
    }
    parse_grading(j, where, "", c);
    if (const json* checks = find(j, "checks")) parse_checks(*checks, c, where);

    const bool wants_negative_target = contains(c.checks, "negative_target");
    const std::string negative_target_rule = "\"negative_target\" applies to one-hot target rows only, but these "
                                             "targets are soft (distributions or label smoothing); remove it from "
                                             "\"checks\"";
    if (const json* g = find(j, "generate")) {
        if (find(j, "throws") != nullptr)
            where.fail("throws", "cannot be given for a generated case (generated inputs are valid); list the bad "
                                 "input in a case of its own");
        for (const std::string& f : input_fields(e)) {
            if (find(j, f) != nullptr) {
                where.fail("generate", "cannot be mixed with literal inputs (" + in_quotes(f) +
                                           " is given too); a case either generates its inputs or lists them: "
                                           "split it into two cases");
            }
        }
        if (find(j, "expected") != nullptr) {
            where.fail("expected", "cannot be given for a generated case (the reference computes it); remove it");
        }
        const GenerateSpec spec = parse_generate(*g, e, where);
        if (wants_negative_target && (spec.soft_targets || spec.label_smoothing > 0.0)) {
            where.fail("checks", negative_target_rule);
        }
        return generate(c, spec, seed);
    }
    bool bad_input = false;
    if (const json* t = find(j, "throws")) {
        const std::string what = get_string(*t, where, "throws");
        if (what != "invalid_argument")
            where.fail("throws", in_quotes(what) + " is not an exception the API throws; the only one is "
                                                   "\"invalid_argument\" (std::invalid_argument, for bad input)");
        if (find(j, "expected") != nullptr)
            where.fail("expected", "cannot be given with \"throws\": the call must throw, not return; remove it");
        bad_input = true;
    }
    const bool soft = parse_inputs(j, where, c, bad_input);
    if (wants_negative_target && soft) where.fail("checks", negative_target_rule);
    if (const json* expected = find(j, "expected")) c.expected = parse_expected(*expected, c, where);
    return {c};
}

// ---- JSON text --------------------------------------------------------------------------------

// Parses `text`, rejecting a key that appears twice in one object (JSON would keep only the last).
json parse_json(const std::string& text, const std::string& label) {
    std::vector<std::set<std::string>> open_objects;
    const json::parser_callback_t no_duplicate_keys = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) open_objects.emplace_back();
        if (event == json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
        if (event == json::parse_event_t::key && !open_objects.empty()) {
            const std::string key = parsed.get<std::string>();
            if (!open_objects.back().insert(key).second) {
                throw LoadError(label + ": field " + in_quotes(key) + " appears twice in the same object (JSON would "
                                        "silently keep only the last); remove one");
            }
        }
        return true;
    };
    try {
        return json::parse(text, no_duplicate_keys, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const json::parse_error& error) {
        // error.byte is the 1-based offset of the character where parsing failed
        const std::size_t end = std::min<std::size_t>(error.byte == 0 ? 0 : error.byte - 1, text.size());
        std::size_t line = 1;
        std::size_t line_start = 0;
        for (std::size_t i = 0; i < end; ++i) {
            if (text[i] == '\n') {
                ++line;
                line_start = i + 1;
            }
        }
        const std::size_t column = end - line_start + 1;
        // keep nlohmann's description, without its "[json.exception...] parse error at ...: " prefix
        std::string what = error.what();
        const std::size_t colon = what.find(": ");
        if (colon != std::string::npos) what = what.substr(colon + 2);
        throw LoadError(label + ": line " + std::to_string(line) + ", column " + std::to_string(column) +
                        ": invalid JSON: " + what + "; check for a missing comma, bracket or quote at or just before "
                        "this point");
    } catch (const json::out_of_range& error) {
        // a number like 1e400 that does not fit in a double
        std::string what = error.what();
        const std::size_t bracket = what.find("] ");
        if (bracket != std::string::npos) what = what.substr(bracket + 2);
        throw LoadError(label + ": invalid JSON: " + what + "; numbers must be finite doubles (|x| < 1.8e308)");
    }
}

}  // namespace

std::vector<Case> load_text(const std::string& text, const std::string& label, unsigned long long seed) {
    const json root = parse_json(text, label);
    const Where where{label, ""};
    if (!root.is_object()) {
        where.fail("", "the top level is " + kind(root) + ", not an object; a case file is an object like "
                                                          "{\"exercise\": \"softmax\", \"cases\": [...]}");
    }
    reject_unknown(root, {"exercise", "description", "defaults", "cases"}, where, "", "a case file");
    const json* exercise_field = find(root, "exercise");
    if (exercise_field == nullptr) {
        where.fail("exercise", "missing; name the exercise these cases test, one of " + quoted_list(exercise_names()));
    }
    const std::string exercise_name = get_string(*exercise_field, where, "exercise");
    const std::optional<Exercise> exercise = exercise_from_name(exercise_name);
    if (!exercise) {
        where.fail("exercise", in_quotes(exercise_name) + " is not an exercise" +
                                   did_you_mean(exercise_name, exercise_names()) + "; use one of " +
                                   quoted_list(exercise_names()));
    }
    if (const json* d = find(root, "description")) get_string(*d, where, "description");

    Case defaults;
    defaults.exercise = *exercise;
    defaults.file = label;
    if (const json* d = find(root, "defaults")) {
        if (!d->is_object()) {
            where.fail("defaults", "is " + kind(*d) + ", not an object; write it like {\"points\": 1, \"visibility\": "
                                                      "\"visible\"}");
        }
        reject_unknown(*d, grading_fields, where, "defaults.", "\"defaults\"");
        parse_grading(*d, where, "defaults.", defaults);
    }

    const json* list = find(root, "cases");
    if (list == nullptr) where.fail("cases", "missing; list the cases in \"cases\": [{\"name\": ..., ...}, ...]");
    if (!list->is_array()) where.fail("cases", "is " + kind(*list) + ", not an array of cases");
    if (list->empty()) where.fail("cases", "is empty; give at least one case");

    std::vector<Case> cases;
    std::map<std::string, std::size_t> first_index;  // case name -> 1-based position of its case in the file
    for (std::size_t index = 0; index < list->size(); ++index) {
        for (Case& c : parse_case((*list)[index], index, defaults, where, seed)) {
            const auto [it, fresh] = first_index.emplace(c.name, index + 1);
            if (!fresh) {
                where.fail("", "case " + in_quotes(c.name) + ": duplicate case name (case " + std::to_string(it->second) +
                                   " of this file has it too); case names must be unique within an exercise");
            }
            cases.push_back(std::move(c));
        }
    }
    return cases;
}

std::vector<Case> load_file(const std::filesystem::path& file, unsigned long long seed) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw LoadError(file.string() + ": cannot open the file; check the path and its permissions");
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return load_text(text.str(), file.string(), seed);
    } catch (const std::bad_alloc&) {
        throw LoadError(file.string() + ": out of memory while loading or generating its cases; lower the sizes of "
                                        "its generated cases");
    }
}

std::vector<Case> load_dirs(const std::vector<std::filesystem::path>& dirs, unsigned long long seed) {
    namespace fs = std::filesystem;
    std::vector<Case> all;
    std::map<std::pair<Exercise, std::string>, std::string> seen;  // (exercise, case name) -> file
    for (const fs::path& dir : dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            throw LoadError(dir.string() + ": no such folder; pass a folder of *.json case files (--cases DIR)");
        }
        std::vector<fs::path> files;
        for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
            if (entry.path().extension() != ".json") continue;
            std::error_code type_error;
            if (!entry.is_regular_file(type_error)) {
                throw LoadError(entry.path().string() + ": is not a regular file (a folder, a device or a broken "
                                                        "link?); remove it or give it another extension");
            }
            files.push_back(entry.path());
        }
        if (ec) throw LoadError(dir.string() + ": cannot list the folder: " + ec.message());
        if (files.empty()) throw LoadError(dir.string() + ": holds no *.json case files; check the folder");
        std::sort(files.begin(), files.end());
        for (const fs::path& file : files) {
            for (Case& c : load_file(file, seed)) {
                const auto [it, fresh] = seen.emplace(std::make_pair(c.exercise, c.name), c.file);
                if (!fresh) {
                    throw LoadError(c.file + ": case " + in_quotes(c.name) + ": " + name(c.exercise) +
                                    " already has a case named " + in_quotes(c.name) + " in " + it->second +
                                    "; rename one of them (case names must be unique per exercise)");
                }
                all.push_back(std::move(c));
            }
        }
    }
    return all;
}

}  // namespace celab::grader::cases
