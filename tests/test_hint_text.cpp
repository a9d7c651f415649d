// ./grade --hint NAME in a terminal: every exercise's hint section as plain text (no raw LaTeX, no
// code fences), and the maths conversions one by one.
#define BOOST_TEST_MODULE hint_text
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "builder.hpp"
#include "cli.hpp"
#include "hint_text.hpp"

#include <string>

namespace bdata = boost::unit_test::data;
using namespace celab::grader;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> exercise_names() {
    std::vector<std::string> names;
    for (Exercise e : all_exercises()) names.push_back(name(e));
    return names;
}
}  // namespace

BOOST_DATA_TEST_CASE(every_hint_reads_as_plain_text, bdata::make(exercise_names()), exercise) {
    const std::string text = cli::hint_text(builder::default_config().source_root, exercise_named(exercise));
    BOOST_TEST_MESSAGE(exercise << ":\n" << text);
    BOOST_TEST(contains(text, "## " + exercise), "the section itself: " << text.substr(0, 200));
    BOOST_TEST(!contains(text, "(no section"), text.substr(0, 200));
    BOOST_TEST(!contains(text, "$"), "raw maths");
    BOOST_TEST(!contains(text, "```"), "a code fence");
    BOOST_TEST(!contains(text, "\\frac"));
    BOOST_TEST(!contains(text, "\\"), "a LaTeX command: " << text.substr(text.find('\\') == std::string::npos ? 0 : text.find('\\'), 60));
    BOOST_TEST(!contains(text, "**"), "bold markers");
}

BOOST_AUTO_TEST_CASE(maths_reads_as_text) {
    BOOST_TEST(hint_text::math("p_i = e^{z_i} / \\sum_j e^{z_j}") == "p_i = e^(z_i) / sum_j e^(z_j)");
    BOOST_TEST(hint_text::math("\\frac{a+b}{c}") == "(a+b)/c");
    BOOST_TEST(hint_text::math("\\frac{\\partial L}{\\partial z_i}") == "(d L)/(d z_i)");
    BOOST_TEST(hint_text::math("m \\le \\mathrm{LSE}(z) \\le m + \\log V") == "m <= LSE(z) <= m + log V");
    BOOST_TEST(hint_text::math("-\\infty") == "-inf");
    BOOST_TEST(hint_text::math("\\ell_n = -\\sum_i y_{n,i} \\log \\max(p_{n,i}, \\varepsilon)") ==
               "l_n = -sum_i y_(n,i) log max(p_(n,i), eps)");
    BOOST_TEST(hint_text::math("\\langle y, z \\rangle") == "< y, z >");
    BOOST_TEST(hint_text::math("N \\times V") == "N x V");
    BOOST_TEST(hint_text::math("N \\ne V") == "N != V");
}

BOOST_AUTO_TEST_CASE(markdown_reads_as_text) {
    const std::string md = "**Implement** $p_i$ with `exp`, see [the page](../derivation.md).\n```cpp\nint x;\n```\n";
    BOOST_TEST(hint_text::plain(md) == "Implement p_i with exp, see the page (../derivation.md).\n    int x;\n");
    BOOST_TEST(hint_text::plain("[derivation.md](../derivation.md)\n") == "derivation.md\n");
}
