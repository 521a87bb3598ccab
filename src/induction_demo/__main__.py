"""``python -m induction_demo``: the same command line as ``induction-demo``."""
from .cli import main

main(prog_name="induction-demo")
