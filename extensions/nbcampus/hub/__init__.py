"""The hub side of nbcampus: settings, authenticator, spawner and learner workspaces."""
