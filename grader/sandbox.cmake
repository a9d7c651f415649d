# sandbox: see the owner's sources
