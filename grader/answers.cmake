# answers: where the right answers come from (grader/src/answers.hpp). The instructor's copy computes
# them with the reference solutions (answers/computed.cpp); a student release looks them up in the
# answer book it was made with (answers/frozen.cpp, grader/answers/book.cbor).
target_sources(celab_grader PRIVATE ${CMAKE_CURRENT_LIST_DIR}/answers/book.cpp)
target_include_directories(celab_grader PUBLIC ${CMAKE_CURRENT_LIST_DIR}/answers)
if(CELAB_STUDENT_RELEASE)
  target_sources(celab_grader PRIVATE ${CMAKE_CURRENT_LIST_DIR}/answers/frozen.cpp)
else()
  target_sources(celab_grader PRIVATE ${CMAKE_CURRENT_LIST_DIR}/answers/computed.cpp)
  target_link_libraries(celab_grader PUBLIC celab_solutions)
endif()
