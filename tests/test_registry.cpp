// The registry of exercises is complete and is the only place that knows an exercise: for every
// descriptor (grader/registry/NAME.cpp, listed in grader/abi/functions.def) the pieces an exercise
// needs exist -- API declaration, stub, reference, case file, docs section, hint, ABI entry, a mutant
// in the catalogue -- and the exercise's name appears in no other file of the grader.
// Each failure names the exercise, the missing piece and where it goes (docs/instructors.md, "Adding
// an exercise").
#define BOOST_TEST_MODULE registry
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "case_file.hpp"
#include "checks.hpp"
#include "cli.hpp"
#include "descriptor.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;
using namespace celab::grader;

namespace {

const fs::path root = CELAB_SOURCE_DIR;
const std::string how = " (see docs/instructors.md, \"Adding an exercise\")";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Sample {
    Exercise e;
};
std::ostream& operator<<(std::ostream& os, const Sample& s) { return os << name(s.e); }

std::vector<Sample> samples() {
    std::vector<Sample> out;
    for (Exercise e : all_exercises()) out.push_back({e});
    return out;
}

// C++ or CMake text without its comments and string literals: what the code itself names.
std::string code_only(const std::string& text, bool cmake) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (cmake && c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (!cmake && c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (!cmake && c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const std::size_t end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 1;
            continue;
        } else if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
            out += "\"\"";
            continue;
        } else if (!cmake && c == '\'') {
            for (++i; i < text.size() && text[i] != '\''; ++i)
                if (text[i] == '\\') ++i;
            continue;
        }
        if (i < text.size()) out += text[i];
    }
    return out;
}

// `code` names `word` as an identifier (a path such as exercises/softmax.cpp names a file, not an exercise).
bool names(const std::string& code, const std::string& word) {
    return std::regex_search(code, std::regex("(^|[^A-Za-z0-9_/])" + word + "($|[^A-Za-z0-9_.])"));
}

// A "### ..." heading of docs/checks.md names the exercise.
bool has_checks_section(const std::string& doc, const std::string& exercise) {
    std::istringstream lines(doc);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind("### ", 0) == 0 && std::regex_search(line, std::regex("(^|[^A-Za-z0-9_])" + exercise + "($|[^A-Za-z0-9_])")))
            return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_registry_follows_the_one_list_of_functions) {
    // functions.def, in order: the registry's order, and the report's
    const std::string def = slurp(root / "grader/abi/functions.def");
    std::vector<std::string> listed;
    const std::regex line(R"(\nCELAB_FUNCTION\((\w+),\s*(\w+),)");
    for (auto it = std::sregex_iterator(def.begin(), def.end(), line); it != std::sregex_iterator(); ++it)
        listed.push_back((*it)[1]);
    std::vector<std::string> registered;
    for (Exercise e : all_exercises()) registered.push_back(name(e));
    BOOST_TEST(listed == registered, boost::test_tools::per_element());
    BOOST_TEST(listed.size() >= 10u);
    std::set<std::string> unique(listed.begin(), listed.end());
    BOOST_TEST(unique.size() == listed.size(), "an exercise is listed twice in grader/abi/functions.def");
}

BOOST_DATA_TEST_CASE(every_exercise_has_every_piece, bdata::make(samples()), s) {
    const Descriptor& e = *s.e;
    const std::string ex = "exercise " + e.name + ": ";

    // the descriptor itself
    BOOST_TEST(fs::is_regular_file(root / "grader/registry" / (e.name + ".cpp")),
               ex << "no descriptor grader/registry/" << e.name << ".cpp" << how);
    BOOST_TEST(static_cast<bool>(e.call), ex << "the descriptor has no call");
    BOOST_TEST_REQUIRE(!e.checks.empty(), ex << "the descriptor lists no checks");
    BOOST_TEST(static_cast<bool>(e.candidates), ex << "the descriptor lists no wrong formulas for the diagnoses");
    std::set<std::string> checks;
    for (const Check& c : e.checks) {
        BOOST_TEST(checks.insert(c.name).second, ex << "check " << c.name << " is listed twice");
        BOOST_TEST(static_cast<bool>(c.run), ex << "check " << c.name << " has nothing to run");
        if (c.name == "finite_difference") BOOST_TEST(static_cast<bool>(e.loss), ex << "finite_difference needs Descriptor::loss");
    }
    const auto answers = std::count_if(e.checks.begin(), e.checks.end(), [](const Check& c) { return c.compares_answer; });
    BOOST_TEST(answers == 1, ex << ": " << answers << " checks compare the output with the right answer (kit::values); "
                                   "exactly one must");
    // the inputs make sense together: what each field needs comes before it
    bool vector = false, batch = false;
    for (Field f : e.inputs) {
        if (f == Field::logits_vector) vector = true;
        if (f == Field::logits_matrix || f == Field::probs) batch = true;
        if (f == Field::target) BOOST_TEST(vector, ex << "\"target\" needs a logits vector before it");
        if (f == Field::targets) BOOST_TEST(batch, ex << "\"targets\" needs a logits or probs matrix before it");
        if (f == Field::label_smoothing) BOOST_TEST(e.takes(Field::targets), ex << "\"label_smoothing\" needs \"targets\"");
    }
    if (e.output == Output::per_logit) BOOST_TEST(e.takes(Field::logits_vector), ex << "[V] output without a logits vector");
    if (e.output == Output::per_entry) BOOST_TEST(e.takes(Field::logits_matrix), ex << "[N,V] output without a logits matrix");
    if (e.output == Output::per_row) BOOST_TEST(batch, ex << "[N] output without a batch input");

    // the API, the stub and the reference
    const std::string header = slurp(root / "include/celab/exercises.hpp");
    BOOST_TEST(names(code_only(header, false), e.name), ex << "not declared in include/celab/exercises.hpp" << how);
    const std::string stub = slurp(root / "exercises" / (e.file + ".cpp"));
    BOOST_TEST(names(code_only(stub, false), e.name), ex << "no stub in exercises/" << e.file << ".cpp" << how);
    BOOST_TEST(stub.find("NotImplemented(\"" + e.name + "\")") != std::string::npos,
               ex << "the stub in exercises/" << e.file << ".cpp does not throw NotImplemented(\"" << e.name << "\")");
    const std::string solution = slurp(root / "solutions" / (e.file + ".cpp"));
    BOOST_TEST(names(code_only(solution, false), e.name), ex << "no reference in solutions/" << e.file << ".cpp" << how);

    // the ABI entry: the reference linked into the grader answers through the table
    const fs::path case_file = root / "grader/cases" / (e.name + ".json");
    BOOST_TEST_REQUIRE(fs::is_regular_file(case_file), ex << "no case file grader/cases/" << e.name << ".json" << how);
    const std::vector<Case> cases = cases::load_file(case_file, 1);
    BOOST_TEST(cases.size() >= 5u, ex << "grader/cases/" << e.name << ".json has only " << cases.size() << " cases");
    int answered = 0;
    for (const Case& c : cases) {
        BOOST_TEST(c.exercise == s.e, ex << "grader/cases/" << e.name << ".json holds a case of " << name(c.exercise));
        if (c.expect_invalid_argument) continue;
        const Value v = e.call(reference(), c.inputs);
        BOOST_TEST((v.shape == shape_of(e.output)), ex << "case " << c.name << ": the reference returns another shape");
        ++answered;
    }
    BOOST_TEST(answered > 0);

    // the docs: the checks page, the exercise page's section, and so the hint
    const std::string checks_doc = slurp(root / "docs/checks.md");
    BOOST_TEST(has_checks_section(checks_doc, e.name), ex << "docs/checks.md has no \"### " << e.name << "\" section");
    for (const Check& c : e.checks)
        BOOST_TEST(checks_doc.find("`" + c.name + "`") != std::string::npos,
                   ex << "docs/checks.md does not explain the check `" << c.name << "`");
    const std::string hint = cli::hint_text(root, s.e);
    BOOST_TEST(hint.rfind("(no ", 0) != 0u, ex << "no hint: " << hint);
    BOOST_TEST(hint.rfind("## ", 0) == 0u, ex << "the hint is not the \"## " << e.name << "\" section: " << hint);

    // at least one mistake in the mutant catalogue, with its diagnosis and its file
    std::ifstream in(root / "tests/mutants/catalogue.json");
    const nlohmann::json catalogue = nlohmann::json::parse(in);
    int mutants = 0;
    for (const auto& m : catalogue.at("mutants")) {
        if (m.value("exercise", "") != e.name || !m.at("mistake").is_string()) continue;
        ++mutants;
        BOOST_TEST(fs::is_regular_file(root / "tests/mutants" / (m.at("name").get<std::string>() + ".cpp")));
    }
    BOOST_TEST(mutants >= 1, ex << "no mutant with a diagnosed mistake in tests/mutants/catalogue.json" << how);
}

// Each exercise's name appears (as code: comments and strings aside) in at most two files of the
// grader: its descriptor and grader/abi/functions.def. The machinery knows no exercise by name.
BOOST_DATA_TEST_CASE(only_the_descriptor_and_the_list_name_an_exercise, bdata::make(samples()), s) {
    const std::string own = (root / "grader/registry" / (s.e->name + ".cpp")).string();
    std::vector<std::string> files;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root / "grader")) {
        if (!entry.is_regular_file()) continue;
        const fs::path& p = entry.path();
        const std::string ext = p.extension().string();
        const bool cmake = ext == ".cmake" || p.filename() == "CMakeLists.txt" || ext == ".in";
        if (!cmake && ext != ".cpp" && ext != ".hpp" && ext != ".def") continue;
        if (names(code_only(slurp(p), cmake), s.e->name)) files.push_back(p.string());
    }
    std::set<std::string> allowed{own, (root / "grader/abi/functions.def").string()};
    for (const std::string& f : files)
        BOOST_TEST(allowed.count(f) == 1u, "exercise " << s.e->name << " is named in " << f
                                                       << ": only its descriptor and grader/abi/functions.def may name it");
    BOOST_TEST(files.size() <= 2u);
}
