// celab-grade: the grader's command line (run it through ./grade). All logic lives in celab_grader.
#include "cli.hpp"

#include <iostream>

int main(int argc, char* argv[]) { return celab::grader::cli::run(argc, argv, std::cout, std::cerr); }
