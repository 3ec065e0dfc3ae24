"""``python -m safeguard_rules`` runs the command line."""

from .cli import main

main()
