# docs tests: see the owner's sources
