// celab-gradescope-bundle OUT.zip [--cases DIR]... [--hidden after_published|visible]: writes the Gradescope
// autograder bundle (bundle.hpp). Temporary: to become `./course gradescope`.
#include "bundle.hpp"
#include "locations.hpp"

#include <boost/program_options.hpp>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string out;
    std::vector<std::string> cases;
    std::string hidden = "after_published";
    po::options_description options(
        "Usage: celab-gradescope-bundle OUT.zip [--cases DIR]...\n\nWrites the Gradescope autograder zip: setup.sh, "
        "run_autograder and this celab checkout with your case folders.\n\nOptions");
    // clang-format off
    options.add_options()
        ("help,h", "show this help and exit")
        ("cases,c", po::value(&cases)->value_name("DIR"), "add the case files (*.json) in DIR, usually hidden ones (repeatable)")
        ("hidden", po::value(&hidden)->value_name("MODE"), "how Gradescope shows hidden cases: after_published (default: tests of their own, "
                                                           "shown with the total score once you publish grades) or visible (inside the visible "
                                                           "tests, name and verdict only; students see their total at once)");
    // clang-format on
    po::options_description all = options;
    all.add_options()("out", po::value(&out));
    po::positional_options_description positional;
    positional.add("out", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "gradescope: " << e.what() << "\nRun celab-gradescope-bundle --help for the options.\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << options << "\n";
        return 0;
    }
    if (out.empty()) {
        std::cerr << "gradescope: give the zip to write, e.g. celab-gradescope-bundle autograder.zip --cases hidden-cases\n";
        return 2;
    }
    celab::course::BundleOptions o;
    o.out_zip = out;
    o.case_dirs.assign(cases.begin(), cases.end());
    o.hidden = hidden;
    o.source_root = celab::grader::locations::source_root();
    return celab::course::make_gradescope_bundle(o, std::cerr);
}
