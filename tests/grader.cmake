# grader tests: see the owner's sources
