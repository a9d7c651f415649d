// celab-course: the instructor's commands (./course). All the work is in cli.cpp.
#include "cli.hpp"

#include <unistd.h>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    try {
        return celab::course::cli::run(argc, argv, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1);
    } catch (const std::exception& e) {
        std::cerr << "course: unexpected error: " << e.what() << " (please report it)\n";
        return 2;
    }
}
