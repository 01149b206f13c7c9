"""Pure domain rules: text decoding, proposal splitting, reply parsing, linking, outlines.

Nothing in this package imports Flask, SQLModel or Whoosh: the functions take strings and return
plain dataclasses, so the seed loader, the CLI, the forms and the tests share one implementation.
"""
