"""`python -m relbot` runs the command-line interface."""

from relbot.cli import main

main()
