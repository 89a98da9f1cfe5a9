"""The ``nbcampus`` command line: one traitlets Application per subcommand.

A subcommand imports the school (SQLAlchemy, nbgrader, the grader) when it starts, not when the
command loads, so that ``nbcampus --help`` and the light subcommands stay quick; no cycle needs
it (the layers are in docs/architecture.md).
"""

from nbcampus.startup import skip_slow_imports


def main() -> None:
    """The ``nbcampus`` console script."""
    skip_slow_imports()
    # imported after skip_slow_imports(): the subcommands' modules load jsonschema (startup.py)
    from nbcampus.apps.main import main as run

    run()
