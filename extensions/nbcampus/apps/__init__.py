"""The ``nbcampus`` command line: one traitlets Application per subcommand.

A subcommand imports the school (SQLAlchemy, nbgrader, the grader) when it starts, not when the
command loads, so that ``nbcampus --help`` and the light subcommands stay quick; no cycle needs
it (the layers are in docs/architecture.md).
"""
