# reference tests: see the owner's sources
