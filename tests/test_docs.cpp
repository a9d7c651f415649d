// Every number in the docs is tested.
//
// docs/**/*.md hold worked examples in fenced blocks tagged `celab-example`, each a small JSON
// object: the function, its inputs and the output as printed. This test finds every block, runs
// the reference solution (celab_solutions) on the inputs and fails, naming the file, the line,
// the block and the entry, when a printed number differs from the reference rounded to the
// digits printed (0.333333 claims |x - 0.333333| <= 5e-7; 1.08e-04 claims <= 5e-7 too).
//
// Block schema (one object per block; unknown keys are errors, so typos cannot hide):
//   {"function": "softmax",                   "logits": [V],    "output": [V],  "sum"?: s}
//   {"function": "softmax_rows",              "logits": [N][V], "output": [N][V]}
//   {"function": "log_softmax_rows",          "logits": [N][V], "output": [N][V]}
//   {"function": "log_sum_exp",               "logits": [V],    "output": s}
//   {"function": "cross_entropy",             "logits": [V], "target": t, "output": s}
//   {"function": "cross_entropy_from_probs",  "probs": [N][V], "targets": T, "eps"?: e,
//                                             "reduction"?: r, "output": [N] (or s with reduction)}
//   {"function": "cross_entropy_from_logits", "logits": [N][V], "targets": T, "reduction"?: r,
//                                             "output": [N] (or s with reduction)}
//   {"function": "reduce",                    "losses": [N], "reduction": r, "output": s}
//   {"function": "reduce",                    "losses": [N], "reduction": "none", "throws": "invalid_argument"}
//   {"function": "cross_entropy_grad",        "logits": [V], "target": t, "output": [V], "sum"?: s}
//   {"function": "cross_entropy_grad_batch",  "logits": [N][V], "targets": T, "reduction": r,
//                                             "output": [N][V], "sum"?: s}
//   {"function": "constant", "name": NAME, "output": s}   a floating-point fact quoted in the prose
// T is a list of class indices [t_0, ...] (one-hot rows) or an [N][V] matrix (soft labels);
// r is "mean", "sum" or "none"; numbers may be written as strings "-inf"/"inf" for masked logits;
// "sum" is the sum of every entry of the output (the sum-to-zero identity).
//
// Also checked: each exercise page has one `## NAME` section per function (what `./grade --hint
// NAME` prints) holding at least one example of that function; the finite-difference table in
// docs/finite-differences.md agrees with tools/fd_table.cpp; relative links resolve; display
// maths sits on its own lines; numbers quoted in the prose and in the case files' hints (a list of
// quotations, see "numbers quoted in the prose" below), and the claims about what naive code returns
// (celab_naive_exp, tests/naive_exp.cpp).
#define BOOST_TEST_MODULE docs
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <celab/exercises.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;
using json = nlohmann::json;

namespace {

#ifndef CELAB_SOURCE_DIR
#define CELAB_SOURCE_DIR "."
#endif
const fs::path source_dir{CELAB_SOURCE_DIR};

// The scanner must find at least this many blocks: deleting examples fails the test.
constexpr std::size_t min_blocks_total = 80;
const std::map<std::string, std::size_t> min_blocks_per_file = {
    {"docs/derivation.md", 44},        {"docs/finite-differences.md", 5}, {"docs/exercises/softmax.md", 12},
    {"docs/exercises/loss.md", 12},    {"docs/exercises/gradient.md", 7},
};

// Exercise page and `## NAME` section of every function (what ./grade --hint NAME prints).
const std::vector<std::pair<std::string, std::string>> exercise_sections = {
    {"softmax", "docs/exercises/softmax.md"},
    {"softmax_rows", "docs/exercises/softmax.md"},
    {"log_softmax_rows", "docs/exercises/softmax.md"},
    {"log_sum_exp", "docs/exercises/softmax.md"},
    {"cross_entropy", "docs/exercises/loss.md"},
    {"cross_entropy_from_probs", "docs/exercises/loss.md"},
    {"cross_entropy_from_logits", "docs/exercises/loss.md"},
    {"reduce", "docs/exercises/loss.md"},
    {"cross_entropy_grad", "docs/exercises/gradient.md"},
    {"cross_entropy_grad_batch", "docs/exercises/gradient.md"},
};

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// ---- the blocks ---------------------------------------------------------------------------------

struct Block {
    std::string file;      // relative to the repository root, e.g. docs/derivation.md
    int line = 0;          // line of the opening fence (1-based)
    int index = 0;         // 1-based index of the block within its file
    std::string section;   // the `## ` heading the block sits under ("" before the first)
    std::string text;      // the JSON between the fences
};

std::ostream& operator<<(std::ostream& os, const Block& b) {
    return os << b.file << ":" << b.line << " (celab-example block " << b.index << ")";
}

std::vector<fs::path> markdown_files() {
    std::vector<fs::path> files;
    const fs::path docs = source_dir / "docs";
    if (!fs::is_directory(docs)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(docs)) {
        if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string relative_name(const fs::path& p) { return fs::relative(p, source_dir).generic_string(); }

// Blocks of one file; an unclosed celab-example fence is reported as a block whose text is the
// error, so that it fails by name instead of vanishing.
std::vector<Block> blocks_of(const fs::path& path) {
    std::vector<Block> blocks;
    const std::vector<std::string> lines = split_lines(read_text(path));
    std::string section;
    bool in_other_fence = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string t = trim(lines[i]);
        if (in_other_fence) {
            if (t.rfind("```", 0) == 0) in_other_fence = false;
            continue;
        }
        if (t.rfind("## ", 0) == 0) section = trim(t.substr(3));
        if (t == "```celab-example") {
            Block b{relative_name(path), static_cast<int>(i + 1), static_cast<int>(blocks.size() + 1), section, ""};
            std::size_t j = i + 1;
            for (; j < lines.size() && trim(lines[j]) != "```"; ++j) b.text += lines[j] + "\n";
            if (j == lines.size()) b.text = "<unclosed fence: add a line ``` after the JSON>";
            blocks.push_back(b);
            i = j;
        } else if (t.rfind("```", 0) == 0) {
            in_other_fence = true;
        }
    }
    return blocks;
}

std::vector<Block> all_blocks() {
    std::vector<Block> all;
    for (const fs::path& f : markdown_files()) {
        std::vector<Block> b = blocks_of(f);
        all.insert(all.end(), b.begin(), b.end());
    }
    return all;
}

// ---- JSON with numbers kept as printed -----------------------------------------------------------
// A SAX builder that stores every number as its source text, so the test knows how many digits
// the docs printed. Numeric fields are read back with std::stod (which also accepts "-inf").

class RawNumberBuilder : public nlohmann::json_sax<json> {
public:
    json root;
    std::string error;

    bool null() override { return add(nullptr); }
    bool boolean(bool v) override { return add(v); }
    bool number_integer(number_integer_t v) override { return add(std::to_string(v)); }
    bool number_unsigned(number_unsigned_t v) override { return add(std::to_string(v)); }
    bool number_float(number_float_t, const string_t& s) override { return add(s); }
    bool string(string_t& s) override { return add(s); }
    bool binary(binary_t&) override { return add(nullptr); }
    bool start_object(std::size_t) override { return open(json::object()); }
    bool key(string_t& k) override {
        key_ = k;
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(json::array()); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
        error = "invalid JSON at character " + std::to_string(position) + ": " + ex.what();
        return false;
    }

private:
    std::vector<json*> stack_;
    std::string key_;

    json* place(json v) {
        if (stack_.empty()) {
            root = std::move(v);
            return &root;
        }
        json& top = *stack_.back();
        if (top.is_array()) {
            top.push_back(std::move(v));
            return &top.back();
        }
        json& slot = top[key_];
        slot = std::move(v);
        return &slot;
    }
    bool add(json v) {
        place(std::move(v));
        return true;
    }
    bool open(json v) {
        stack_.push_back(place(std::move(v)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }
};

// Thrown for a malformed block; the message says which field and how to fix it.
struct BlockError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

double number(const json& j, const std::string& where) {
    if (!j.is_string()) throw BlockError(where + " must be a number");
    const std::string s = j.get<std::string>();
    // strtod, not std::stod: stod throws on subnormal numbers such as 5.6e-309
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) throw BlockError(where + " is '" + s + "', not a number");
    return v;
}

int integer(const json& j, const std::string& where) {
    const double v = number(j, where);
    if (v != std::floor(v) || std::abs(v) > 1e9) throw BlockError(where + " must be an integer");
    return static_cast<int>(v);
}

const json& field(const json& obj, const std::string& name) {
    if (!obj.contains(name)) throw BlockError("missing field \"" + name + "\"");
    return obj.at(name);
}

Eigen::VectorXd vector_of(const json& j, const std::string& where) {
    if (!j.is_array() || j.empty()) throw BlockError(where + " must be a non-empty list of numbers");
    Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
    for (std::size_t i = 0; i < j.size(); ++i) v[static_cast<Eigen::Index>(i)] = number(j[i], where + "[" + std::to_string(i) + "]");
    return v;
}

Eigen::MatrixXd matrix_of(const json& j, const std::string& where) {
    if (!j.is_array() || j.empty() || !j[0].is_array())
        throw BlockError(where + " must be a non-empty list of rows, e.g. [[1, 2], [3, 4]]");
    const std::size_t cols = j[0].size();
    Eigen::MatrixXd m(static_cast<Eigen::Index>(j.size()), static_cast<Eigen::Index>(cols));
    for (std::size_t r = 0; r < j.size(); ++r) {
        const std::string row = where + "[" + std::to_string(r) + "]";
        if (!j[r].is_array() || j[r].size() != cols)
            throw BlockError(row + " has " + std::to_string(j[r].size()) + " entries, row 0 has " + std::to_string(cols));
        for (std::size_t c = 0; c < cols; ++c)
            m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = number(j[r][c], row + "[" + std::to_string(c) + "]");
    }
    return m;
}

// "targets": class indices (one-hot rows) or a matrix of soft labels.
Eigen::MatrixXd targets_of(const json& j, Eigen::Index rows, Eigen::Index cols) {
    if (j.is_array() && !j.empty() && j[0].is_array()) return matrix_of(j, "targets");
    if (!j.is_array() || static_cast<Eigen::Index>(j.size()) != rows)
        throw BlockError("targets must list one class index per row (" + std::to_string(rows) + ") or be a matrix");
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(rows, cols);
    for (Eigen::Index n = 0; n < rows; ++n) {
        const int t = integer(j[static_cast<std::size_t>(n)], "targets[" + std::to_string(n) + "]");
        if (t < 0 || t >= cols) throw BlockError("targets[" + std::to_string(n) + "] = " + std::to_string(t) + " is out of range");
        y(n, t) = 1.0;
    }
    return y;
}

celab::Reduction reduction_of(const json& j) {
    const std::string r = j.is_string() ? j.get<std::string>() : "";
    if (r == "mean") return celab::Reduction::Mean;
    if (r == "sum") return celab::Reduction::Sum;
    if (r == "none") return celab::Reduction::None;
    throw BlockError("reduction must be \"mean\", \"sum\" or \"none\", not " + j.dump());
}

// A floating-point fact quoted in the prose.
double constant(const std::string& name) {
    static const std::map<std::string, double> constants = {
        {"log_dbl_max", std::log(DBL_MAX)},              // exp(x) overflows in double above this
        {"log_flt_max", std::log(static_cast<double>(FLT_MAX))},  // ... and in float above this
        {"log_dbl_min", std::log(DBL_MIN)},              // below this exp(x) is subnormal
        {"log_half_dbl_true_min", std::log(std::nextafter(0.0, 1.0)) - std::log(2.0)},  // below this exp(x) rounds to 0
        {"log_flt_min", std::log(static_cast<double>(FLT_MIN))},
        {"log_half_flt_true_min", std::log(static_cast<double>(std::nextafter(0.0f, 1.0f)) / 2.0)},
        {"flt_unit_roundoff", static_cast<double>(FLT_EPSILON) / 2.0},   // worst relative error of one operation
        {"dbl_epsilon_pow_2_3", std::pow(DBL_EPSILON, 2.0 / 3.0)},     // best central-difference error scale
        {"flt_epsilon_pow_2_3", std::pow(static_cast<double>(FLT_EPSILON), 2.0 / 3.0)},
        {"dbl_epsilon", DBL_EPSILON},
        {"flt_epsilon", static_cast<double>(FLT_EPSILON)},
        {"sqrt_dbl_epsilon", std::sqrt(DBL_EPSILON)},
        {"cbrt_dbl_epsilon", std::cbrt(DBL_EPSILON)},
    };
    const auto it = constants.find(name);
    if (it == constants.end()) {
        std::string known;
        for (const auto& [k, v] : constants) known += " " + k;
        throw BlockError("unknown constant \"" + name + "\"; known:" + known);
    }
    return it->second;
}

// ---- comparing printed numbers ---------------------------------------------------------------

// Half a unit in the last printed place: "0.333333" -> 5e-7, "1.08e-04" -> 5e-7, "800" -> 0.5.
double half_last_place(const std::string& printed) {
    std::string mantissa = printed;
    int exponent = 0;
    const auto e = printed.find_first_of("eE");
    if (e != std::string::npos) {
        mantissa = printed.substr(0, e);
        exponent = std::stoi(printed.substr(e + 1));
    }
    const auto dot = mantissa.find('.');
    const int decimals = (dot == std::string::npos ? 0 : static_cast<int>(mantissa.size() - dot - 1)) - exponent;
    return 0.5 * std::pow(10.0, -decimals);
}

// Empty when `printed` is the reference rounded to the digits printed; else the problem.
std::string compare_printed(const std::string& printed, double reference, const std::string& where) {
    double value = 0.0;
    try {
        value = number(json(printed), where);
    } catch (const BlockError& e) {
        return e.what();
    }
    std::ostringstream msg;
    msg.precision(17);
    if (!std::isfinite(value) || !std::isfinite(reference)) {
        if (value == reference || (std::isnan(value) && std::isnan(reference))) return "";
        msg << where << ": printed " << printed << " but the reference gives " << reference;
        return msg.str();
    }
    const double allowed = half_last_place(printed) * (1.0 + 1e-9);
    const double diff = std::abs(value - reference);
    if (diff <= allowed) return "";
    msg << where << ": printed " << printed << " but the reference gives " << reference << " (|difference| "
        << std::setprecision(3) << diff << " > " << half_last_place(printed)
        << ", half a unit in the last printed digit); fix the number in the docs";
    return msg.str();
}

void compare_output(const json& printed, const Eigen::MatrixXd& ref, bool is_vector, bool is_matrix,
                    const std::string& name, std::vector<std::string>& problems) {
    if (!is_vector && !is_matrix) {
        if (printed.is_array()) {
            problems.push_back(name + " must be a single number for this call");
            return;
        }
        const std::string p = compare_printed(printed.get<std::string>(), ref(0, 0), name);
        if (!p.empty()) problems.push_back(p);
        return;
    }
    if (is_vector) {
        if (!printed.is_array() || static_cast<Eigen::Index>(printed.size()) != ref.size() ||
            (!printed.empty() && printed[0].is_array())) {
            problems.push_back(name + " must be a list of " + std::to_string(ref.size()) + " numbers (the reference returns " +
                               std::to_string(ref.size()) + ")");
            return;
        }
        for (Eigen::Index i = 0; i < ref.size(); ++i) {
            const std::string p = compare_printed(printed[static_cast<std::size_t>(i)].get<std::string>(), ref(i),
                                                  name + "[" + std::to_string(i) + "]");
            if (!p.empty()) problems.push_back(p);
        }
        return;
    }
    if (!printed.is_array() || static_cast<Eigen::Index>(printed.size()) != ref.rows()) {
        problems.push_back(name + " must have " + std::to_string(ref.rows()) + " rows");
        return;
    }
    for (Eigen::Index r = 0; r < ref.rows(); ++r) {
        const json& row = printed[static_cast<std::size_t>(r)];
        if (!row.is_array() || static_cast<Eigen::Index>(row.size()) != ref.cols()) {
            problems.push_back(name + "[" + std::to_string(r) + "] must have " + std::to_string(ref.cols()) + " entries");
            continue;
        }
        for (Eigen::Index c = 0; c < ref.cols(); ++c) {
            const std::string p = compare_printed(row[static_cast<std::size_t>(c)].get<std::string>(), ref(r, c),
                                                  name + "[" + std::to_string(r) + "][" + std::to_string(c) + "]");
            if (!p.empty()) problems.push_back(p);
        }
    }
}

json parse_block(const std::string& text) {
    RawNumberBuilder builder;
    const bool ok = json::sax_parse(text, &builder);
    if (!ok) throw BlockError(builder.error.empty() ? "invalid JSON" : builder.error);
    if (!builder.root.is_object()) throw BlockError("the block must hold one JSON object {...}");
    return builder.root;
}

// Runs the reference on a block; returns every disagreement (empty: the block is right).
std::vector<std::string> check_block(const std::string& text) {
    std::vector<std::string> problems;
    try {
        const json b = parse_block(text);
        const std::string function = field(b, "function").get<std::string>();
        std::vector<std::string> allowed = {"function", "output"};
        Eigen::MatrixXd ref;
        bool is_vector = false, is_matrix = false;

        auto with_reduction = [&](const Eigen::VectorXd& losses) {
            if (b.contains("reduction")) {
                ref = Eigen::MatrixXd::Constant(1, 1, celab::reduce(losses, reduction_of(b.at("reduction"))));
            } else {
                ref = losses;
                is_vector = true;
            }
        };

        if (function == "softmax") {
            allowed.insert(allowed.end(), {"logits", "sum"});
            ref = celab::softmax(vector_of(field(b, "logits"), "logits"));
            is_vector = true;
        } else if (function == "softmax_rows") {
            allowed.insert(allowed.end(), {"logits", "sum"});
            ref = celab::softmax_rows(matrix_of(field(b, "logits"), "logits"));
            is_matrix = true;
        } else if (function == "log_softmax_rows") {
            allowed.push_back("logits");
            ref = celab::log_softmax_rows(matrix_of(field(b, "logits"), "logits"));
            is_matrix = true;
        } else if (function == "log_sum_exp") {
            allowed.push_back("logits");
            ref = Eigen::MatrixXd::Constant(1, 1, celab::log_sum_exp(vector_of(field(b, "logits"), "logits")));
        } else if (function == "cross_entropy") {
            allowed.insert(allowed.end(), {"logits", "target"});
            ref = Eigen::MatrixXd::Constant(
                1, 1, celab::cross_entropy(vector_of(field(b, "logits"), "logits"), integer(field(b, "target"), "target")));
        } else if (function == "cross_entropy_from_probs") {
            allowed.insert(allowed.end(), {"probs", "targets", "eps", "reduction"});
            const Eigen::MatrixXd p = matrix_of(field(b, "probs"), "probs");
            const Eigen::MatrixXd y = targets_of(field(b, "targets"), p.rows(), p.cols());
            const double eps = b.contains("eps") ? number(b.at("eps"), "eps") : 1e-7;
            with_reduction(celab::cross_entropy_from_probs(p, y, eps));
        } else if (function == "cross_entropy_from_logits") {
            allowed.insert(allowed.end(), {"logits", "targets", "reduction"});
            const Eigen::MatrixXd z = matrix_of(field(b, "logits"), "logits");
            with_reduction(celab::cross_entropy_from_logits(z, targets_of(field(b, "targets"), z.rows(), z.cols())));
        } else if (function == "reduce") {
            allowed.insert(allowed.end(), {"losses", "reduction", "throws"});
            const Eigen::VectorXd losses = vector_of(field(b, "losses"), "losses");
            const celab::Reduction r = reduction_of(field(b, "reduction"));
            if (b.contains("throws")) {
                if (field(b, "throws") != "invalid_argument") throw BlockError("throws must be \"invalid_argument\"");
                if (b.contains("output")) throw BlockError("a block with \"throws\" has no \"output\"");
                try {
                    celab::reduce(losses, r);
                    problems.push_back("the docs say reduce throws std::invalid_argument here, but it returned");
                } catch (const std::invalid_argument&) {
                }
                return problems;
            }
            ref = Eigen::MatrixXd::Constant(1, 1, celab::reduce(losses, r));
        } else if (function == "cross_entropy_grad") {
            allowed.insert(allowed.end(), {"logits", "target", "sum"});
            ref = celab::cross_entropy_grad(vector_of(field(b, "logits"), "logits"), integer(field(b, "target"), "target"));
            is_vector = true;
        } else if (function == "cross_entropy_grad_batch") {
            allowed.insert(allowed.end(), {"logits", "targets", "reduction", "sum"});
            const Eigen::MatrixXd z = matrix_of(field(b, "logits"), "logits");
            ref = celab::cross_entropy_grad_batch(z, targets_of(field(b, "targets"), z.rows(), z.cols()),
                                                  reduction_of(field(b, "reduction")));
            is_matrix = true;
        } else if (function == "constant") {
            allowed.push_back("name");
            ref = Eigen::MatrixXd::Constant(1, 1, constant(field(b, "name").get<std::string>()));
        } else {
            throw BlockError("unknown function \"" + function +
                             "\"; use an API function (include/celab/exercises.hpp) or \"constant\"");
        }

        for (const auto& [key, value] : b.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
                throw BlockError("unknown field \"" + key + "\" for " + function);
        }
        compare_output(field(b, "output"), ref, is_vector, is_matrix, "output", problems);
        if (b.contains("sum")) {
            const std::string p = compare_printed(b.at("sum").get<std::string>(), ref.sum(), "sum");
            if (!p.empty()) problems.push_back(p);
        }
    } catch (const BlockError& e) {
        problems.push_back(std::string("malformed block: ") + e.what());
    } catch (const std::invalid_argument& e) {
        problems.push_back(std::string("the reference rejects these inputs: ") + e.what());
    } catch (const json::exception& e) {
        problems.push_back(std::string("malformed block: ") + e.what());
    }
    return problems;
}

std::string function_of(const Block& block) {
    try {
        return parse_block(block.text).value("function", "");
    } catch (const std::exception&) {
        return "";
    }
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const std::string& l : lines) s += "\n    " + l;
    return s;
}

}  // namespace

// ---- the examples ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(examples)

BOOST_DATA_TEST_CASE(printed_numbers_match_the_reference, bdata::make(all_blocks()), block) {
    const std::vector<std::string> problems = check_block(block.text);
    BOOST_TEST(problems.empty(), block << ":" << joined(problems));
}

BOOST_AUTO_TEST_CASE(the_scanner_finds_every_block) {
    const std::vector<Block> blocks = all_blocks();
    BOOST_TEST(blocks.size() >= min_blocks_total,
               "found " << blocks.size() << " celab-example blocks in docs/, expected at least " << min_blocks_total
                        << "; were examples deleted, or their fences retagged?");
    for (const auto& [file, minimum] : min_blocks_per_file) {
        const fs::path path = source_dir / file;
        BOOST_TEST_REQUIRE(fs::exists(path), file << " is missing");
        const std::size_t n = blocks_of(path).size();
        BOOST_TEST(n >= minimum, file << " has " << n << " celab-example blocks, expected at least " << minimum);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the checker itself: a wrong number must fail ------------------------------------------------

BOOST_AUTO_TEST_SUITE(checker)

BOOST_AUTO_TEST_CASE(digits_printed_set_the_tolerance) {
    BOOST_TEST(half_last_place("0.333333") == 5e-7, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(half_last_place("-0.666667") == 5e-7, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(half_last_place("1.08e-04") == 5e-7, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(half_last_place("800") == 0.5, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(half_last_place("2.5E3") == 50.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_right_block_passes_and_wrong_ones_fail) {
    const std::string right =
        R"({"function": "cross_entropy_grad", "logits": [0, 0, 0], "target": 1, "output": [0.333333, -0.666667, 0.333333], "sum": 0.0})";
    BOOST_TEST(check_block(right).empty(), joined(check_block(right)));
    const std::string right_log =
        R"({"function": "log_softmax_rows", "logits": [[0, -1000, "-inf"]], "output": [[0.000000, -1000.000000, "-inf"]]})";
    BOOST_TEST(check_block(right_log).empty(), joined(check_block(right_log)));
    // each of these is a plausible typo or a wrong claim: every one must be caught
    const std::vector<std::string> wrong = {
        R"({"function": "cross_entropy_grad", "logits": [0, 0, 0], "target": 1, "output": [0.333333, 0.666667, 0.333333]})",
        R"({"function": "cross_entropy_grad", "logits": [0, 0, 0], "target": 1, "output": [0.333333, -0.666666, 0.333333]})",
        R"({"function": "cross_entropy_grad", "logits": [0, 0, 0], "target": 1, "output": [0.333333, -0.666667]})",
        R"({"function": "cross_entropy_grad", "logits": [0, 0, 0], "target": 1, "output": [0.333, -0.667, 0.333], "sum": 0.1})",
        R"({"function": "cross_entropy_grad", "logits": [0, 0, 0], "target": 1, "outptu": [0.333, -0.667, 0.333]})",
        R"({"function": "cross_entropy_grad", "logits": [0, 0, 0], "target": 3, "output": [0.333, -0.667, 0.333]})",
        R"({"function": "softmax", "logits": [1000, 1001, 1002], "output": [0.09, 0.244, 0.665]})",  // truncated, not rounded
        R"({"function": "log_softmax_rows", "logits": [[0, -1000]], "output": [[0.000000, "-inf"]]})",  // log(softmax)
        R"({"function": "log_softmax_rows", "logits": [[0, -1000]], "output": [0.000000, -1000.000000]})",  // not a matrix
        R"({"function": "log_softmax_rows", "logits": [[2, "-inf", 1]], "output": [[-0.313262, -1000, -1.313262]]})",
        R"({"function": "log_softmax_rows", "logits": [[-1000, -999], [1, 2]], "output": [["inf", "inf"], [-1.313262, -0.313262]]})",  // batch max
        R"({"function": "log_sum_exp", "logits": [0, 0, 0], "output": 1.0987})",
        R"({"function": "cross_entropy_grad_batch", "logits": [[0, 0], [0, 0]], "targets": [0, 1], "reduction": "mean", "output": [[-0.5, 0.5], [0.5, -0.5]]})",
        R"({"function": "reduce", "losses": [1, 2], "reduction": "mean", "throws": "invalid_argument"})",
        R"({"function": "constant", "name": "log_dbl_max", "output": 709.79})",
        R"({"function": "softmaxx", "logits": [1], "output": [1]})",
        R"({"function": "softmax", "logits": [1, 2, "output": [1]})",
    };
    for (const std::string& w : wrong) BOOST_TEST(!check_block(w).empty(), "not caught: " << w);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the exercise pages: one section per function ------------------------------------------------

namespace {
struct Section {
    std::string function;
    std::string file;
};
std::ostream& operator<<(std::ostream& os, const Section& s) { return os << "## " << s.function << " in " << s.file; }
std::vector<Section> sections() {
    std::vector<Section> s;
    for (const auto& [f, file] : exercise_sections) s.push_back({f, file});
    return s;
}
}  // namespace

BOOST_DATA_TEST_CASE(each_function_has_a_hint_section_with_an_example, bdata::make(sections()), section) {
    const fs::path path = source_dir / section.file;
    BOOST_TEST_REQUIRE(fs::exists(path), section.file << " is missing");
    int headings = 0;
    for (const std::string& line : split_lines(read_text(path))) headings += trim(line) == "## " + section.function;
    BOOST_TEST(headings == 1, section.file << " has " << headings << " lines '## " << section.function
                                           << "', needs exactly one (./grade --hint " << section.function
                                           << " prints that section)");
    std::size_t examples = 0;
    for (const Block& b : blocks_of(path)) examples += b.section == section.function && function_of(b) == section.function;
    BOOST_TEST(examples >= 1u, section.file << ": section '## " << section.function
                                            << "' has no celab-example block of that function; add one");
}

// ---- the finite-difference table --------------------------------------------------------------------

namespace {
const char* const table_begin = "<!-- fd-table begin: generated by scripts/make-figures -->";
const char* const table_end = "<!-- fd-table end -->";

std::vector<std::vector<std::string>> doc_table_rows() {
    std::vector<std::vector<std::string>> rows;
    bool inside = false;
    for (const std::string& line : split_lines(read_text(source_dir / "docs/finite-differences.md"))) {
        const std::string t = trim(line);
        if (t == table_begin) inside = true;
        else if (t == table_end) inside = false;
        else if (inside && t.rfind("|", 0) == 0 && t.find("---") == std::string::npos && t.find("error") == std::string::npos) {
            std::vector<std::string> cells;
            std::stringstream ss(t.substr(1));
            for (std::string cell; std::getline(ss, cell, '|');)
                if (!trim(cell).empty()) cells.push_back(trim(cell));
            rows.push_back(cells);
        }
    }
    return rows;
}

std::vector<std::vector<double>> tool_rows() {
    const char* tool = std::getenv("CELAB_FD_TABLE");
    if (tool == nullptr) throw std::runtime_error("CELAB_FD_TABLE is not set (tests/docs.cmake sets it to celab_fd_table)");
    const std::string command = std::string("\"") + tool + "\" --data 1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) throw std::runtime_error("cannot run " + command);
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0;) out.append(buf, n);
    std::vector<std::vector<double>> rows;
    for (const std::string& line : split_lines(out)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream in(line);
        std::vector<double> r;
        for (double v; in >> v;) r.push_back(v);
        rows.push_back(r);
    }
    return rows;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_fd_table_matches_tools_fd_table) {
    const auto doc = doc_table_rows();
    const auto tool = tool_rows();
    BOOST_TEST_REQUIRE(doc.size() >= 10u, "docs/finite-differences.md: expected the error table (>= 10 rows) between '"
                                              << table_begin << "' and '" << table_end << "'");
    BOOST_TEST_REQUIRE(doc.size() == tool.size(), "the docs table has " << doc.size() << " rows, celab_fd_table prints "
                                                                       << tool.size() << "; run scripts/make-figures");
    const char* columns[] = {"h", "forward error", "central error", "h*L''/2", "h^2*L'''/6", "eps*L/h"};
    for (std::size_t r = 0; r < doc.size(); ++r) {
        BOOST_TEST_REQUIRE(doc[r].size() == 6u, "docs table row " << r << " has " << doc[r].size() << " cells, expected 6");
        BOOST_TEST_REQUIRE(tool[r].size() == 6u);
        for (std::size_t c = 0; c < 6; ++c) {
            // the round-off rows depend on the last bits of exp and log: exact on glibc, where the
            // table was generated; elsewhere only the order of magnitude is compared
            bool strict = true;
#if !defined(__GLIBC__)
            const double truncation = c == 1 ? tool[r][3] : tool[r][4];
            strict = c == 0 || c >= 3 || truncation >= 100.0 * tool[r][5];
#endif
            const std::string where = "docs/finite-differences.md table row h=" + doc[r][0] + " column '" + columns[c] + "'";
            if (strict) {
                const std::string p = compare_printed(doc[r][c], tool[r][c], where);
                BOOST_TEST(p.empty(), p << " (celab_fd_table; regenerate with scripts/make-figures)");
            } else {
                const double printed = std::stod(doc[r][c]);
                BOOST_TEST((printed <= 10.0 * tool[r][c] && tool[r][c] <= 10.0 * printed), where << ": " << doc[r][c]
                                                                                                 << " vs " << tool[r][c]);
            }
        }
    }
}

// ---- Markdown hygiene --------------------------------------------------------------------------------

namespace {
std::vector<std::string> markdown_names() {
    std::vector<std::string> names;
    for (const fs::path& p : markdown_files()) names.push_back(relative_name(p));
    return names;
}
}  // namespace

BOOST_DATA_TEST_CASE(relative_links_resolve_and_display_maths_stands_alone, bdata::make(markdown_names()), file) {
    const fs::path path = source_dir / file;
    const std::vector<std::string> lines = split_lines(read_text(path));
    const std::regex link(R"(\]\(([^)\s]+)\))");
    bool in_fence = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string t = trim(lines[i]);
        if (t.rfind("```", 0) == 0) in_fence = !in_fence;
        if (in_fence) continue;
        for (std::sregex_iterator m(lines[i].begin(), lines[i].end(), link), end; m != end; ++m) {
            std::string target = (*m)[1].str();
            if (target.rfind("http", 0) == 0 || target.rfind("#", 0) == 0 || target.rfind("mailto:", 0) == 0) continue;
            target = target.substr(0, target.find('#'));
            BOOST_TEST(fs::exists(path.parent_path() / target),
                       file << ":" << i + 1 << ": link target '" << target << "' does not exist");
        }
        // GitHub and GitLab render $$ ... $$ reliably only when each $$ is on a line of its own
        if (t.find("$$") != std::string::npos)
            BOOST_TEST(t == "$$", file << ":" << i + 1 << ": put each $$ of a display block on its own line");
    }
    BOOST_TEST(!in_fence, file << ": a ``` fence is not closed");
}

// ---- numbers quoted in the prose ------------------------------------------------------------------
// A number in running text cannot sit in a celab-example block, so each one is listed below as a
// quotation: the text right before it, the text right after it, and how to compute it. Whitespace,
// line breaks included, counts as one space. The test finds the quotation in the file, reads what is
// printed between the two texts (one number, or a list "a, b, c") and compares each number with the
// computation, rounded to the digits printed, or truncated when `truncated` is set (a number followed
// by "\ldots"). A quotation that is no longer found fails too: when the docs are reworded, update the
// entry. The "hint" strings of grader/cases/*.json are quoted the same way. Most computations call the
// reference; the facts about naive code come from celab_naive_exp (tests/naive_exp.cpp, compiled like
// a submission), the floating-point ones are computed here.

namespace {

// What celab_naive_exp printed, name -> value (empty when CELAB_NAIVE_EXP is not set).
const std::map<std::string, double>& naive_facts() {
    static const std::map<std::string, double> facts = [] {
        std::map<std::string, double> m;
        const char* tool = std::getenv("CELAB_NAIVE_EXP");
        if (tool == nullptr) return m;
        std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((std::string("\"") + tool + "\"").c_str(), "r"), pclose);
        if (!pipe) return m;
        std::string out;
        char buf[4096];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0;) out.append(buf, n);
        for (const std::string& line : split_lines(out)) {
            std::istringstream in(line);
            std::string name, value;
            // strtod reads nan, -nan, inf, -inf and subnormals (std::stod throws on the latter)
            if (in >> name >> value) m[name] = std::strtod(value.c_str(), nullptr);
        }
        return m;
    }();
    return facts;
}

double naive(const std::string& name) {
    const auto& facts = naive_facts();
    const auto it = facts.find(name);
    if (it != facts.end()) return it->second;
    if (std::getenv("CELAB_NAIVE_EXP") == nullptr)
        throw std::runtime_error("CELAB_NAIVE_EXP is not set (tests/docs.cmake sets it to celab_naive_exp)");
    throw std::runtime_error("celab_naive_exp printed no value named " + name);
}

// The loss LSE(z) - z_t computed in T the way the reference does: (m + log sum exp(z - m)) - z_t.
template <typename T>
T loss_lse_minus_target(const std::vector<T>& z, std::size_t t) {
    const T m = *std::max_element(z.begin(), z.end());
    T s = 0;
    for (const T v : z) s += std::exp(v - m);
    return (m + std::log(s)) - z[t];
}
// The same loss when z_t is the largest logit: log1p(sum_{j != t} exp(z_j - z_t)).
template <typename T>
T loss_log1p(const std::vector<T>& z, std::size_t t) {
    T s = 0;
    for (std::size_t j = 0; j < z.size(); ++j)
        if (j != t) s += std::exp(z[j] - z[t]);
    return std::log1p(s);
}
double rel_error(double got, double exact) { return std::abs(got - exact) / std::abs(exact); }
// the loss of z = [a, 0] with target 0, to full precision: log(1 + e^-a)
double exact_two_class(double a) { return std::log1p(std::exp(-a)); }

Eigen::VectorXd vec(std::initializer_list<double> values) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double x : values) v[i++] = x;
    return v;
}
// the notebook's batch (docs/derivation.md, section 7) and its one-hot targets [0, 1, 0]
Eigen::MatrixXd notebook_logits() {
    Eigen::MatrixXd z(3, 4);
    z << 2, 0.5, -1, 0, 0.3, 1.2, 0.1, -0.5, 3, 2, 0, -1;
    return z;
}
Eigen::MatrixXd notebook_targets() {
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(3, 4);
    y(0, 0) = y(1, 1) = y(2, 0) = 1.0;
    return y;
}
const Eigen::VectorXd running{vec({1, 2, 3, 0.5})};  // the running example, target 2

std::vector<double> all(const Eigen::MatrixXd& m) {  // row by row
    std::vector<double> v;
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) v.push_back(m(r, c));
    return v;
}

struct Quote {
    std::string file;
    std::string before;
    std::string after;
    std::function<std::vector<double>()> value;
    bool truncated = false;
};
std::ostream& operator<<(std::ostream& os, const Quote& q) { return os << q.file << ": '" << q.before << "'"; }

Quote q(std::string file, std::string before, std::string after, std::function<double()> f) {
    return Quote{std::move(file), std::move(before), std::move(after), [f] { return std::vector<double>{f()}; }, false};
}
Quote qs(std::string file, std::string before, std::string after, std::function<std::vector<double>()> f) {
    return Quote{std::move(file), std::move(before), std::move(after), std::move(f), false};
}

const std::string derivation = "docs/derivation.md", fd = "docs/finite-differences.md", checks_md = "docs/checks.md",
                  softmax_md = "docs/exercises/softmax.md", loss_md = "docs/exercises/loss.md",
                  gradient_md = "docs/exercises/gradient.md";

std::vector<Quote> quotes() {
    using celab::Reduction;
    const auto floor = [] { return naive("exp_eigen_floor"); };
    std::vector<Quote> v = {
        // derivation.md: section 2, what naive code really returns (tests/naive_exp.cpp)
        q(derivation, "It clamps its argument at `", "` and so returns", [] { return -naive("neg_log_exp_eigen_floor"); }),
        q(derivation, "and so returns about `", "`, not 0, but only", floor),
        qs(derivation, "So the naive softmax of $[-1000, -1001, -1002]$ with Eigen's `exp` is `[", "]`, and of four", [] {
            return std::vector<double>{naive("softmax_no_max_eigen_small_0"), naive("softmax_no_max_eigen_small_1"),
                                       naive("softmax_no_max_eigen_small_2")};
        }),
        qs(derivation, "logits the uniform `[", "]`: no NaN", [] {
            return std::vector<double>{naive("softmax_no_max_eigen_small4_0"), naive("softmax_no_max_eigen_small4_1"),
                                       naive("softmax_no_max_eigen_small4_2"), naive("softmax_no_max_eigen_small4_3")};
        }),
        q(derivation, "log of such a \"probability\" is `", "` with `std::log`", [] { return -naive("neg_log_exp_eigen_floor"); }),
        q(derivation, "smallest normal number and gives `", "`), so a loss", [] { return naive("log_eigen_of_exp_eigen_floor"); }),
        q(derivation, "so a loss computed through it comes out as `", "` where", [] { return naive("ce_via_softmax_eigen_0_m1000_t1"); }),
        q(derivation, "look for a **uniform row** or a **loss of ", "**", [] { return naive("ce_via_softmax_eigen_0_m1000_t1"); }),
        q(derivation, "negative argument and may return `", "`, negligible", [] { return naive("exp_eigen_minus_inf_in_packet"); }),
        // section 4
        q(derivation, "which is indeed $-\\log ", "$, with $p_2$", [] { return celab::softmax(running)[2]; }),
        q(derivation, "The true loss is $", "$ (to double precision)", [] { return celab::cross_entropy(vec({0, -800}), 1); }),
        q(derivation, "For $V = 1000$ classes expect about ", ", for GPT-2's", [] { return std::log(1000.0); }),
        q(derivation, "vocabulary of $V = 50257$ tokens about ", ". So the first loss", [] {
            return celab::cross_entropy(Eigen::VectorXd::Zero(50257), 0);
        }),
        // section 7
        qs(derivation, "| `Z.rowwise().maxCoeff()` | $N \\times 1$ | [", "] |", [] {
            return all(Eigen::VectorXd(notebook_logits().rowwise().maxCoeff()));
        }),
        qs(derivation, "| `Z.colwise().maxCoeff()` | $1 \\times V$ | [", "] |", [] {
            return all(Eigen::RowVectorXd(notebook_logits().colwise().maxCoeff()));
        }),
        q(derivation, "for instance $-\\log ", "$ for row 0", [] { return celab::softmax_rows(notebook_logits())(0, 0); }),
        Quote{derivation, "Their mean is the notebook's $", "\\ldots$", [] {
                  return std::vector<double>{celab::reduce(celab::cross_entropy_from_logits(notebook_logits(), notebook_targets()), Reduction::Mean)};
              }, true},
        q(derivation, "For instance $", " = (0.71009992 - 1)/3$", [] {
            return celab::cross_entropy_grad_batch(notebook_logits(), notebook_targets(), Reduction::Mean)(0, 0);
        }),
        q(derivation, "For instance $-0.096633 = (", " - 1)/3$", [] { return celab::softmax_rows(notebook_logits())(0, 0); }),
        // section 8: float, double and log1p
        q(derivation, "Eigen's vectorised `exp` stops at `", "` in double", [] { return -naive("neg_log_exp_eigen_floor"); }),
        q(derivation, "in double and returns `", "` for anything below it", floor),
        q(derivation, "the loss is $\\log(1 + e^{-10}) \\approx$ `", "`, but in float", [] { return exact_two_class(10); }),
        q(derivation, "but in float $\\mathrm{LSE}(z) = ", "$ is rounded", [] { return 10.0 + exact_two_class(10); }),
        q(derivation, "the float loss is `", "`, `", [] { return static_cast<double>(loss_lse_minus_target<float>({10.0f, 0.0f}, 0)); }),
        q(derivation, "the float loss is `4.5776e-5`, `", "` % off", [] {
            return 100.0 * rel_error(loss_lse_minus_target<float>({10.0f, 0.0f}, 0), exact_two_class(10));
        }),
        q(derivation, "the loss exactly 0: `", "` % off", [] {
            return 100.0 * rel_error(loss_lse_minus_target<float>({20.0f, 0.0f}, 0), exact_two_class(20));
        }),
        q(derivation, "with target 0 (loss ", ") comes out", [] { return celab::cross_entropy(vec({1000, 1001, 1002}), 0); }),
        q(derivation, ") comes out `", "` off relative in float", [] {
            return rel_error(loss_lse_minus_target<float>({1000.0f, 1001.0f, 1002.0f}, 0), celab::cross_entropy(vec({0, 1, 2}), 0));
        }),
        q(derivation, "$[20, 0]$ is off by `", "` relative", [] { return rel_error(loss_lse_minus_target<double>({20.0, 0.0}, 0), exact_two_class(20)); }),
        q(derivation, "$[30, 0]$ by `", "` %", [] { return 100.0 * rel_error(loss_lse_minus_target<double>({30.0, 0.0}, 0), exact_two_class(30)); }),
        q(derivation, "gives exactly 0 instead of `", "`.", [] { return exact_two_class(40); }),
        q(derivation, "Then $[20, 0]$ gives `", "` in float", [] { return static_cast<double>(loss_log1p<float>({20.0f, 0.0f}, 0)); }),
        q(derivation, "in float (exactly `", "`)", [] { return exact_two_class(20); }),
        // section 9
        qs(derivation, "(compare the softmax $[", "]$ of the same logits", [] {
            return all(celab::softmax(vec({2, -std::numeric_limits<double>::infinity(), 1})));
        }),
        q(derivation, "the lookup picks $", "$, $0.653431$", [] { return celab::cross_entropy_from_logits(notebook_logits(), notebook_targets())[0]; }),
        q(derivation, "the lookup picks $0.342350$, $", "$ and", [] { return celab::cross_entropy_from_logits(notebook_logits(), notebook_targets())[1]; }),
        q(derivation, "$ and $", "$ (negated)", [] { return celab::cross_entropy_from_logits(notebook_logits(), notebook_targets())[2]; }),

        // finite-differences.md
        q(fd, "So the exact value is $g_0 = p_0 = ", "$.", [] { return celab::softmax(running)[0]; }),
        q(fd, "In this example $S = \\mathrm{LSE}(z) = ", "$ and", [] { return celab::log_sum_exp(running); }),
        q(fd, "$ and $L = ", "$ are within", [] { return celab::cross_entropy(running, 2); }),

        // checks.md
        q(checks_md, "for ordinary logits the term is about ", ". How much", [] { return 16 * DBL_EPSILON * 3000; }),
        q(checks_md, "at most 1e-9 while S <= ", ",", [] { return 1e-9 * 1e-5 / DBL_EPSILON; }),
        q(checks_md, "up to eps·2000/h = ", " for the shipped case", [] { return DBL_EPSILON * 2000 / 1e-5; }),
        q(checks_md, "(logits [-1000, 0, 1000], target 0, loss ", ")", [] { return celab::cross_entropy(vec({-1000, 0, 1000}), 0); }),

        // exercises/softmax.md
        qs(softmax_md, "but with Eigen's `.array().exp()` it gives `[", "]`: Eigen's", [] {
            return std::vector<double>{naive("softmax_no_max_eigen_small_0"), naive("softmax_no_max_eigen_small_1"),
                                       naive("softmax_no_max_eigen_small_2")};
        }),
        q(softmax_md, "Eigen's vectorised `exp` returns about `", "` instead of 0 below", floor),
        q(softmax_md, "`exp` returns about `5.6e-309` instead of 0 below ", ", except for", [] { return -naive("neg_log_exp_eigen_floor"); }),
        q(softmax_md, "`.array().exp()` may give about `", "`. The grader", [] { return naive("exp_eigen_minus_inf_in_packet"); }),
        q(softmax_md, "with Eigen's `.array().exp()` both are `", "` and the row", [] { return naive("exp_eigen_floor"); }),
        qs(softmax_md, "and the row comes out as a uniform `[", "]` instead of", [] {
            return std::vector<double>{naive("softmax_rows_batch_max_eigen_0_0"), naive("softmax_rows_batch_max_eigen_0_1")};
        }),
        qs(softmax_md, "]` instead of $[", "]$.", [] { return all(Eigen::RowVectorXd(celab::softmax_rows(vec({0, 1}).transpose()))); }),
        q(softmax_md, "or about `", "`; in the second case", floor),
        qs(softmax_md, "the logarithms of the probabilities $[", "]$ of the `softmax` section", [] { return all(celab::softmax(running)); }),
        q(softmax_md, "the sum is a few times `", "` and the row", floor),
        q(softmax_md, "and `", "` with Eigen's `.array().exp()` (the log of two terms", [] { return naive("lse_no_max_eigen_small"); }),

        // exercises/loss.md
        q(loss_md, "the loss comes out as `", "`, a plausible-looking", [] { return naive("ce_via_softmax_eigen_0_m800_t1"); }),
        q(loss_md, "a plausible-looking number that is wrong by ", ".", [] {
            return celab::cross_entropy(vec({0, -800}), 1) - naive("ce_via_softmax_eigen_0_m800_t1");
        }),
        q(loss_md, "which returns about `", "` instead of 0", floor),
        q(loss_md, "instead of 0 below ", " ([derivation.md]", [] { return -naive("neg_log_exp_eigen_floor"); }),
        q(loss_md, "one-hot target (", ", first example above)", [] {
            return celab::cross_entropy_from_logits(notebook_logits(), notebook_targets())[0];
        }),
        q(loss_md, "the mean is its printed ", " (to 6 digits)", [] {
            return celab::reduce(celab::cross_entropy_from_logits(notebook_logits(), notebook_targets()), Reduction::Mean);
        }),

        // exercises/gradient.md
        q(gradient_md, "Eigen's vectorised `exp` returns about `", "` instead of 0, so", floor),

        // the "hint" strings of the case files, which the report prints under a failing case
        q("grader/cases/softmax.json", "they come out as about ", " or 0", floor),
        qs("grader/cases/softmax.json", "a plausible but wrong row ([", "] here)", [] {
            return std::vector<double>{naive("softmax_no_max_eigen_small_0"), naive("softmax_no_max_eigen_small_1"),
                                       naive("softmax_no_max_eigen_small_2")};
        }),
        q("grader/cases/softmax.json", "Eigen's .array().exp() may give about ", ", which the tolerance accepts",
          [] { return naive("exp_eigen_minus_inf_in_packet"); }),
        q("grader/cases/log_softmax_rows.json", "or to about ", " with Eigen's", floor),
        q("grader/cases/log_softmax_rows.json", "(the log of Eigen's ", ")", floor),
        q("grader/cases/log_sum_exp.json", "with std::exp, and ", " with Eigen's", [] { return naive("lse_no_max_eigen_small"); }),
        q("grader/cases/log_sum_exp.json", "(two terms of about ", " and one 0)", floor),
        q("grader/cases/log_sum_exp.json", "but the answer is ", ". Factor", [] { return celab::log_sum_exp(vec({-1000, -1001, -1002})); }),
        q("grader/cases/cross_entropy.json", "is inf with std::exp and ", " with Eigen's .array().exp() (which",
          [] { return naive("ce_via_softmax_eigen_far_apart_t0"); }),
        q("grader/cases/cross_entropy.json", "(which returns about ", " instead of 0)", floor),
        q("grader/cases/cross_entropy.json", "but the loss is ", ": use", [] { return celab::cross_entropy(vec({-1000, 0, 1000}), 0); }),
        q("grader/cases/cross_entropy.json", "-log(p) is inf with std::exp and ", " with Eigen's .array().exp(); LSE",
          [] { return naive("ce_via_softmax_eigen_0_m1000_t1"); }),
        q("grader/cases/cross_entropy.json", "LSE(z) - z[1] is exactly ", ".", [] { return celab::cross_entropy(vec({0, -1000}), 1); }),
    };
    return v;
}

// Collapses every run of whitespace (line breaks included) to one space.
std::string squeeze(const std::string& s) {
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = true;
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    if (space) out += ' ';
    return out;
}

// One place where the quotation occurs: the printed numbers, and where the list starts and ends.
struct Found {
    std::size_t begin = 0, end = 0;
    std::vector<std::string> numbers;
};

std::vector<Found> find_quote(const std::string& text, const Quote& quote) {
    // a number, or a list "a, b, c"; a full stop right after a number ends the sentence, not the number
    static const std::regex list(R"([-+]?\d+(\.\d+)?([eE][-+]?\d+)?(, [-+]?\d+(\.\d+)?([eE][-+]?\d+)?)*)");
    const std::string before = squeeze(quote.before), after = squeeze(quote.after);
    std::vector<Found> found;
    for (std::size_t pos = text.find(before); pos != std::string::npos; pos = text.find(before, pos + 1)) {
        const std::size_t start = pos + before.size();
        const std::string rest = text.substr(start, 400);
        std::smatch m;
        if (!std::regex_search(rest, m, list, std::regex_constants::match_continuous)) continue;
        if (rest.compare(static_cast<std::size_t>(m.length(0)), after.size(), after) != 0) continue;
        Found f{start, start + static_cast<std::size_t>(m.length(0)), {}};
        std::stringstream ss(m.str(0));
        for (std::string n; std::getline(ss, n, ',');) f.numbers.push_back(trim(n));
        found.push_back(f);
    }
    return found;
}

// Empty when `printed`, truncated (not rounded) to its digits, is the reference: "0.45254319508077"
// claims 0.45254319508077 <= x < 0.45254319508078.
std::string compare_truncated(const std::string& printed, double reference, const std::string& where) {
    const double value = std::strtod(printed.c_str(), nullptr);
    const double unit = 2.0 * half_last_place(printed);
    const bool ok = std::signbit(value) == std::signbit(reference) && std::abs(reference) >= std::abs(value) * (1 - 1e-15) &&
                    std::abs(reference) < std::abs(value) + unit;
    if (ok) return "";
    std::ostringstream msg;
    msg.precision(17);
    msg << where << ": printed " << printed << " (truncated) but the reference gives " << reference << "; fix the number in the docs";
    return msg.str();
}

std::vector<std::string> check_quote(const std::string& text, const Quote& quote) {
    const std::vector<Found> found = find_quote(text, quote);
    if (found.empty())
        return {"quotation not found: '" + squeeze(quote.before) + "<number>" + squeeze(quote.after) +
                "'; if the docs were reworded, update this entry in tests/test_docs.cpp"};
    std::vector<double> want;
    try {
        want = quote.value();
    } catch (const std::exception& e) {
        return {std::string("cannot compute the number: ") + e.what()};
    }
    std::vector<std::string> problems;
    for (const Found& f : found) {
        if (f.numbers.size() != want.size()) {
            problems.push_back("'" + squeeze(quote.before) + "' is followed by " + std::to_string(f.numbers.size()) +
                               " numbers, the computation gives " + std::to_string(want.size()));
            continue;
        }
        for (std::size_t i = 0; i < want.size(); ++i) {
            const std::string where = "'" + squeeze(quote.before) + "' number " + std::to_string(i + 1);
            const std::string p = quote.truncated ? compare_truncated(f.numbers[i], want[i], where)
                                                  : compare_printed(f.numbers[i], want[i], where);
            if (!p.empty()) problems.push_back(p);
        }
    }
    return problems;
}

// The text with one digit of the quotation changed: the last digit of the last number's mantissa.
std::string with_a_digit_changed(std::string text, const Found& f) {
    const std::string printed = text.substr(f.begin, f.end - f.begin);
    const std::size_t comma = printed.rfind(", ");
    const std::size_t start = f.begin + (comma == std::string::npos ? 0 : comma + 2);  // the last number
    const std::size_t e = text.find_first_of("eE", start);
    const std::size_t last = e != std::string::npos && e < f.end ? e : f.end;  // end of its mantissa
    std::size_t i = last - 1;
    while (i > f.begin && !std::isdigit(static_cast<unsigned char>(text[i]))) --i;
    text[i] = text[i] == '9' ? '8' : static_cast<char>(text[i] + 1);
    return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prose)

BOOST_DATA_TEST_CASE(numbers_quoted_in_the_prose_match_the_reference, bdata::make(quotes()), quote) {
    const std::string text = squeeze(read_text(source_dir / quote.file));
    const std::vector<std::string> problems = check_quote(text, quote);
    BOOST_TEST(problems.empty(), quote << ":" << joined(problems));
}

// The check must see a wrong digit: change one digit of each quoted number and it must fail.
BOOST_DATA_TEST_CASE(a_changed_digit_in_a_quoted_number_fails, bdata::make(quotes()), quote) {
    const std::string text = squeeze(read_text(source_dir / quote.file));
    const std::vector<Found> found = find_quote(text, quote);
    BOOST_TEST_REQUIRE(!found.empty(), quote << ": quotation not found");
    const std::string changed = with_a_digit_changed(text, found.front());
    BOOST_TEST(changed != text);
    BOOST_TEST(!check_quote(changed, quote).empty(),
               quote << ": changing '" << text.substr(found.front().begin, found.front().end - found.front().begin) << "' to '"
                     << changed.substr(found.front().begin, found.front().end - found.front().begin) << "' was not caught");
}

BOOST_AUTO_TEST_CASE(the_quote_reader_handles_lists_truncation_and_line_breaks) {
    const Quote pi{"x", "pi is $", "\\ldots$", [] { return std::vector<double>{3.14159265}; }, true};
    BOOST_TEST(check_quote(squeeze("so pi is\n$3.1415\\ldots$ here"), pi).empty());
    BOOST_TEST(!check_quote(squeeze("so pi is $3.1416\\ldots$ here"), pi).empty());  // rounded, not truncated
    BOOST_TEST(!check_quote(squeeze("so pi is about 3.1415"), pi).empty());          // not found
    const Quote list = qs("x", "p = [", "]", [] { return std::vector<double>{0.25, 0.5, 0.25}; });
    BOOST_TEST(check_quote("p = [0.25, 0.5, 0.25]", list).empty());
    BOOST_TEST(!check_quote("p = [0.25, 0.5]", list).empty());
    BOOST_TEST(!check_quote("p = [0.25, 0.6, 0.25]", list).empty());
    const Quote tiny = q("x", "about `", "`", [] { return 5.5555294837733886e-309; });
    BOOST_TEST(check_quote("about `5.6e-309`", tiny).empty());
    BOOST_TEST(!check_quote("about `5.7e-309`", tiny).empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- what naive code does, as the docs and the case-file hints describe it ------------------------
// The claims of docs/derivation.md (section 2), the exercise pages and the hints of grader/cases/*.json
// about naive code, checked against celab_naive_exp (compiled like a submission). If the compiler
// flags or Eigen change what naive code does, this fails and the docs must change with it.

BOOST_AUTO_TEST_CASE(naive_code_fails_the_way_the_docs_say) {
    BOOST_TEST_REQUIRE(std::getenv("CELAB_NAIVE_EXP") != nullptr, "CELAB_NAIVE_EXP is not set (tests/docs.cmake sets it)");
    BOOST_TEST_REQUIRE(!naive_facts().empty(), "celab_naive_exp printed nothing");
    const double inf = std::numeric_limits<double>::infinity();
    const auto n = [](const std::string& name) { return naive(name); };
    for (int i = 0; i < 3; ++i) {
        const std::string k = std::to_string(i);
        // [1000, 1001, 1002]: NaN with both exps (exp overflows to inf, inf/inf)
        BOOST_TEST(std::isnan(n("softmax_no_max_std_big_" + k)));
        BOOST_TEST(std::isnan(n("softmax_no_max_eigen_big_" + k)));
        // [-1000, -1001, -1002]: NaN with std::exp (0/0) ...
        BOOST_TEST(std::isnan(n("softmax_no_max_std_small_" + k)));
        BOOST_TEST(n("exp_std_small_" + k) == 0.0);
    }
    // ... but [0.5, 0.5, 0] with Eigen's exp: two entries in a packet give ~5.6e-309, the last one 0
    BOOST_TEST(n("exp_eigen_small_0") == n("exp_eigen_floor"));
    BOOST_TEST(n("exp_eigen_small_1") == n("exp_eigen_floor"));
    BOOST_TEST(n("exp_eigen_small_2") == 0.0);
    BOOST_TEST(n("softmax_no_max_eigen_small_0") == 0.5);
    BOOST_TEST(n("softmax_no_max_eigen_small_1") == 0.5);
    BOOST_TEST(n("softmax_no_max_eigen_small_2") == 0.0);
    // the floor: subnormal, below DBL_MIN, exp(-709.784); a one-entry vector never uses a packet
    BOOST_TEST(n("exp_eigen_floor") > 0.0);
    BOOST_TEST(n("exp_eigen_floor") < DBL_MIN);
    BOOST_TEST(n("exp_eigen_floor") == std::exp(-709.784), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(n("exp_eigen_single") == 0.0);
    BOOST_TEST(n("exp_eigen_minus_inf_in_packet") == n("exp_eigen_floor"));
    BOOST_TEST(std::isinf(n("exp_eigen_above_709_78")));
    // a uniform row: four logits, and the running example shifted down by 1000 (the stability call)
    for (int i = 0; i < 4; ++i) {
        BOOST_TEST(n("softmax_no_max_eigen_small4_" + std::to_string(i)) == 0.25);
        BOOST_TEST(n("softmax_no_max_eigen_running_minus_1000_" + std::to_string(i)) == 0.25);
    }
    // log-sum-exp without the max: inf / -inf with std::exp, a finite -709.09 with Eigen's
    BOOST_TEST(n("lse_no_max_std_big") == inf);
    BOOST_TEST(n("lse_no_max_eigen_big") == inf);
    BOOST_TEST(n("lse_no_max_std_small") == -inf);
    BOOST_TEST(std::isfinite(n("lse_no_max_eigen_small")));
    // -log(softmax(z)[t]) where p_t underflows: inf with std::exp, 709.78 with Eigen's (the hints of
    // cross_entropy.json: saturated_1000 and far_apart_wrong_class)
    BOOST_TEST(n("ce_via_softmax_std_0_m1000_t1") == inf);
    BOOST_TEST(n("ce_via_softmax_std_0_m800_t1") == inf);
    BOOST_TEST(n("ce_via_softmax_std_far_apart_t0") == inf);
    BOOST_TEST(n("ce_via_softmax_eigen_0_m1000_t1") == n("neg_log_exp_eigen_floor"));
    BOOST_TEST(n("ce_via_softmax_eigen_0_m800_t1") == n("neg_log_exp_eigen_floor"));
    BOOST_TEST(n("ce_via_softmax_eigen_far_apart_t0") == n("neg_log_exp_eigen_floor"));
    BOOST_TEST(n("log_softmax_via_softmax_std_0_m1000_1") == -inf);
    BOOST_TEST(n("log_softmax_via_softmax_eigen_0_m1000_1") == -n("neg_log_exp_eigen_floor"));
    // a masked class: exactly 0 with std::exp, a negligible positive number with Eigen's
    BOOST_TEST(n("softmax_stable_std_masked_1") == 0.0);
    BOOST_TEST(n("softmax_stable_eigen_masked_1") > 0.0);
    BOOST_TEST(n("softmax_stable_eigen_masked_1") < 1e-300);
    // the batch max in softmax_rows: NaN rows with std::exp, uniform rows with Eigen's
    BOOST_TEST(std::isnan(n("softmax_rows_batch_max_std_0_0")));
    BOOST_TEST(n("softmax_rows_batch_max_eigen_0_0") == 0.5);
    BOOST_TEST(n("softmax_rows_batch_max_eigen_0_1") == 0.5);
    for (int r = 1; r < 4; ++r)
        for (int c = 0; c < 3; ++c) {
            const std::string k = std::to_string(r) + "_" + std::to_string(c);
            BOOST_TEST(std::isnan(n("softmax_rows_batch_max_std_scales_" + k)));
            BOOST_TEST(n("softmax_rows_batch_max_eigen_scales_" + k) == 1.0 / 3.0, boost::test_tools::tolerance(1e-15));
            // log-softmax with the batch max: +inf with std::exp, finite but off by hundreds with Eigen's
            BOOST_TEST(n("log_softmax_rows_batch_max_std_scales_" + k) == inf);
            const double got = n("log_softmax_rows_batch_max_eigen_scales_" + k);
            Eigen::MatrixXd scales(4, 3);
            scales << 1000, 1001, 1002, -1000, -1001, -1002, 0.1, 0.2, 0.3, 0, -40, 5;
            const double right = celab::log_softmax_rows(scales)(r, c);
            BOOST_TEST((std::isfinite(got) && std::abs(got - right) > 100.0), k << ": " << got << " vs " << right);
        }
    // log-softmax with no max on [-1000, -1001, -1002] (docs/checks.md, log_softmax_rows): +inf with
    // std::exp; finite, negative, and not summing to 1 after exp with Eigen's
    double exp_sum = 0.0;
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(n("log_softmax_no_max_std_small_" + std::to_string(i)) == inf);
        const double v = n("log_softmax_no_max_eigen_small_" + std::to_string(i));
        BOOST_TEST((std::isfinite(v) && v < 0.0), i << ": " << v);
        exp_sum += std::exp(v);
    }
    BOOST_TEST(std::abs(exp_sum - 1.0) > 0.5);
    // the batch max with Eigen's exp: finite, negative rows whose exponentials do not sum to 1
    for (int r = 1; r < 4; ++r) {
        double row_sum = 0.0;
        for (int c = 0; c < 3; ++c) {
            const double v = n("log_softmax_rows_batch_max_eigen_scales_" + std::to_string(r) + "_" + std::to_string(c));
            BOOST_TEST(v < 0.0);
            row_sum += std::exp(v);
        }
        BOOST_TEST(std::abs(row_sum - 1.0) > 0.5, "row " << r);
    }
    // the log_softmax_rows page example [[0, -1000, -inf], [1000, 1001, 1002]]
    BOOST_TEST(n("log_of_softmax_rows_std_page_0_1") == -inf);                 // log(softmax): -inf, not -1000
    BOOST_TEST(n("log_of_softmax_rows_eigen_broadcast_page_0_1") == -inf);     // Eigen, written as a broadcast: 0 too
    BOOST_TEST(std::abs(n("log_of_softmax_rows_eigen_page_0_1") + 709.0) < 1.0);  // materialised first: near -709
    BOOST_TEST(n("log_softmax_rows_batch_max_std_page_0_0") == inf);           // batch max: +inf ...
    BOOST_TEST(std::isnan(n("log_softmax_rows_batch_max_std_page_0_2")));     // ... and NaN at the masked class
    // Eigen: finite, off by hundreds (the answer is [0, -1000, -inf])
    BOOST_TEST(std::isfinite(n("log_softmax_rows_batch_max_eigen_page_0_0")));
    BOOST_TEST(std::abs(n("log_softmax_rows_batch_max_eigen_page_0_0") - 0.0) > 100.0);
    BOOST_TEST(std::abs(n("log_softmax_rows_batch_max_eigen_page_0_1") - (-1000.0)) > 100.0);
    BOOST_TEST(n("log_softmax_rows_batch_max_eigen_page_0_2") == -inf);
}
