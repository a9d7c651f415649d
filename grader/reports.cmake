# reports: the text, JSON, JUnit, Gradescope, gcc and HTML report writers and atomic file output.
target_sources(celab_grader PRIVATE
  src/report_text.cpp
  src/report_json.cpp
  src/report_junit.cpp
  src/report_gradescope.cpp
  src/report_gcc.cpp
  src/report_html.cpp
  src/report_file.cpp)
