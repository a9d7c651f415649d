// Compiled into every submission library: exports the table of the submission's functions.
#include "submission_abi.hpp"

extern "C" __attribute__((visibility("default"))) const celab::abi::SubmissionTable* celab_submission_table_v1() {
    static const celab::abi::SubmissionTable table = celab::abi::linked_table();
    return &table;
}
