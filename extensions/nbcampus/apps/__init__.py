"""The ``nbcampus`` command line: one traitlets Application per subcommand."""
