# sandbox tests: see the owner's sources
