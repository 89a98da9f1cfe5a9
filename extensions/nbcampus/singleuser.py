"""Entry point of a learner's server: ``jupyterhub-singleuser`` with a faster start-up."""

from __future__ import annotations

from .startup import skip_slow_imports


def main() -> None:
    skip_slow_imports()
    from jupyterhub.singleuser import main as singleuser_main

    singleuser_main()


if __name__ == "__main__":
    main()
