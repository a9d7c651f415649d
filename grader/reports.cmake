# reports: see the owner's sources
