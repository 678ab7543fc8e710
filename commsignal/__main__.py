"""`python -m commsignal` runs the CLI."""

from commsignal.cli import main

main()
