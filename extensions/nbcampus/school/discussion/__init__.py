"""Course discussions: threads with a place, replies and comments, moderation."""
