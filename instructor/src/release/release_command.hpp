// ./course release OUT [--course FILE]: writes the student release (docs/instructors.md, "Releasing the
// exercises"): the files instructor/release/manifest.json gives students, the answer book frozen from
// the reference, the course file, release.json, as a git repository with one commit.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace celab::course::cli {

int release_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace celab::course::cli
