# checks: see the owner's sources
