"""The shipped codebooks: package data, found by name (``Codebook.load("welfare_employment")``)."""
