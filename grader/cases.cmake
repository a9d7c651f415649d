# cases: see the owner's sources
