# cases tests: see the owner's sources
