// docs/checks.md cannot drift from the code: its tolerance table must give the tolerances the grader
// uses, and every check of every exercise must be documented.
#define BOOST_TEST_MODULE checks_doc
#include <boost/test/unit_test.hpp>

#include "check_kit.hpp"
#include "checks.hpp"

#include <fstream>
#include <map>
#include <sstream>

using namespace celab::grader;

namespace {

std::string read_doc() {
    std::ifstream in(std::string(CELAB_SOURCE_DIR) + "/docs/checks.md");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> cells(const std::string& row) {
    std::vector<std::string> out;
    std::string cell;
    for (std::size_t i = 1; i < row.size(); ++i) {
        if (row[i] == '|' && row[i - 1] != '\\') {
            const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
            out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
            cell.clear();
        } else {
            cell += row[i];
        }
    }
    return out;
}

// The rows of the table under "## Tolerances": check name -> (abs, rel) as printed.
std::map<std::string, std::pair<double, double>> documented_tolerances() {
    std::istringstream doc(read_doc());
    std::string line;
    bool inside = false;
    std::map<std::string, std::pair<double, double>> table;
    while (std::getline(doc, line)) {
        if (line.rfind("## ", 0) == 0) inside = line == "## Tolerances";
        if (!inside || line.rfind("| ", 0) != 0 || line.find("---") != std::string::npos) continue;
        const std::vector<std::string> c = cells(line);
        if (c.size() < 3 || c[0] == "check") continue;
        std::istringstream names(c[0]);
        std::string name;
        while (std::getline(names, name, ',')) {
            name.erase(0, name.find_first_not_of(' '));
            table[name] = {std::stod(c[1]), std::stod(c[2])};
        }
    }
    return table;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_tolerance_table_matches_the_code) {
    const auto table = documented_tolerances();
    for (Exercise e : all_exercises()) {
        for (const std::string& check : check_names(e)) {
            BOOST_TEST_CONTEXT(name(e) << ": check " << check) {
                BOOST_TEST_REQUIRE(table.count(check) == 1u, "docs/checks.md has no tolerance row for " << check);
                if (check == "shape") continue;
                BOOST_TEST(table.at(check).first == default_tolerance(e, check).abs);
                BOOST_TEST(table.at(check).second == default_tolerance(e, check).rel);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(every_check_is_documented) {
    const std::string doc = read_doc();
    for (Exercise e : all_exercises()) {
        BOOST_TEST(doc.find(name(e)) != std::string::npos, name(e));
        for (const std::string& check : check_names(e))
            BOOST_TEST(doc.find("`" + check + "`") != std::string::npos, check << " is not in docs/checks.md");
    }
    BOOST_TEST(doc.find(std::to_string(kit::full_finite_difference_limit)) != std::string::npos);
    BOOST_TEST(doc.find("h = 1e-5") != std::string::npos);
    BOOST_TEST(kit::finite_difference_step == 1e-5);
}
