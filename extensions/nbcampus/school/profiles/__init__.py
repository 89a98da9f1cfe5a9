"""The learner's profile: the name shown for them, their language and time zone."""
