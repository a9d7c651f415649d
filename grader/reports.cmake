# reports: the text, JSON, JUnit, Gradescope, gcc and HTML report writers, atomic file output, and
# the watch loop that keeps a report current while the student edits.
target_sources(celab_grader PRIVATE
  src/report_text.cpp
  src/report_json.cpp
  src/report_junit.cpp
  src/report_gradescope.cpp
  src/report_gcc.cpp
  src/report_html.cpp
  src/report_file.cpp
  src/watch.cpp)  # ./grade --watch: the report kept current on the terminal (and in --output)
