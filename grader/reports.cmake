# reports: the text, JSON, JUnit and Gradescope report writers and atomic file output.
target_sources(celab_grader PRIVATE
  src/report_text.cpp
  src/report_json.cpp
  src/report_junit.cpp
  src/report_gradescope.cpp
  src/report_file.cpp)
