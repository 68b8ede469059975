"""`python -m kg`: the same as the `kg` command."""

from kg.cli import main

main()
