"""nbcampus grading engine (nbgrader integration, sandbox, queue workers)."""
