// celab-grade: the grader's command line (run it through ./grade). All logic lives in celab_grader.
#include "cli.hpp"

#include <exception>
#include <iostream>
#include <new>

int main(int argc, char* argv[]) {
    try {
        return celab::grader::cli::run(argc, argv, std::cout, std::cerr);
    } catch (const std::bad_alloc&) {
        std::cerr << "grade: out of memory (the case files or a result are too large for this machine)\n";
    } catch (const std::exception& e) {
        std::cerr << "grade: internal error: " << e.what() << " (please report it)\n";
    }
    return 2;
}
