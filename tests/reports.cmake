# reports tests: see the owner's sources
