"""The use cases: one module each, with typed options and results, called by the CLI.

A use case opens what it needs, takes the project lock where it writes, calls down into
build, network, rotation and preview, and returns a result; it never prints. The CLI
(``signage.cli``) parses options, calls one function here and prints the result.
"""
