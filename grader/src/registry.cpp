// The registry: one descriptor per line of grader/abi/functions.def, each from its own file in
// grader/registry/ (NAME.cpp defines registry::describe_NAME()), with its name and stub file set here.
#include "descriptor.hpp"

#include <stdexcept>

namespace celab::grader {

namespace registry {

#define CELAB_FUNCTION(NAME, FILE, RETURN, PARAMETERS) Descriptor describe_##NAME();
#include "functions.def"
#undef CELAB_FUNCTION

const std::vector<Descriptor>& descriptors() {
    static const std::vector<Descriptor> list = [] {
        std::vector<Descriptor> all;
#define CELAB_FUNCTION(NAME, FILE, RETURN, PARAMETERS) \
    all.push_back(describe_##NAME());                  \
    all.back().name = #NAME;                           \
    all.back().file = #FILE;
#include "functions.def"
#undef CELAB_FUNCTION
        return all;
    }();
    return list;
}

}  // namespace registry

const std::vector<Exercise>& all_exercises() {
    static const std::vector<Exercise> list = [] {
        std::vector<Exercise> all;
        for (const Descriptor& d : registry::descriptors()) all.push_back(&d);
        return all;
    }();
    return list;
}

const char* name(Exercise e) { return e == nullptr ? "unknown" : e->name.c_str(); }

std::optional<Exercise> exercise_from_name(const std::string& text) {
    for (Exercise e : all_exercises())
        if (text == e->name) return e;
    return std::nullopt;
}

Exercise exercise_named(const std::string& text) {
    if (const auto e = exercise_from_name(text)) return *e;
    std::string list;
    for (Exercise e : all_exercises()) list += (list.empty() ? "" : ", ") + e->name;
    throw std::out_of_range("no exercise named \"" + text + "\"; the exercises are " + list);
}

const char* source_file(Exercise e) { return e == nullptr ? "unknown" : e->file.c_str(); }

std::vector<std::string> check_names(Exercise e) {
    std::vector<std::string> names;
    for (const Check& c : e->checks) names.push_back(c.name);
    return names;
}

const char* field_name(Field f) {
    switch (f) {
        case Field::logits_vector:
        case Field::logits_matrix: return "logits";
        case Field::target: return "target";
        case Field::probs: return "probs";
        case Field::targets: return "targets";
        case Field::label_smoothing: return "label_smoothing";
        case Field::eps: return "eps";
        case Field::reduction: return "reduction";
        case Field::losses: return "losses";
    }
    return "?";
}

Shape shape_of(Output o) {
    switch (o) {
        case Output::scalar: return Shape::scalar;
        case Output::per_logit:
        case Output::per_row: return Shape::vector;
        case Output::per_entry: return Shape::matrix;
    }
    return Shape::scalar;
}

bool Descriptor::takes(Field f) const {
    for (Field g : inputs)
        if (g == f) return true;
    return false;
}

const Check& Descriptor::answer_check() const {
    for (const Check& c : checks)
        if (c.compares_answer) return c;
    throw std::logic_error("exercise " + name + " has no check that compares the answer (kit::values)");
}

const Check* Descriptor::check(const std::string& check_name) const {
    for (const Check& c : checks)
        if (c.name == check_name) return &c;
    return nullptr;
}

}  // namespace celab::grader
