# mutants tests: see the owner's sources
