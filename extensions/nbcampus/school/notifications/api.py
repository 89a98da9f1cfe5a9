"""What other packages may use of notifications: everything else is private to it."""

from nbcampus.school.notifications.compose import Composer, compose_digests, compose_single
from nbcampus.school.notifications.inbox import mark_read, my_notifications, notify
from nbcampus.school.notifications.models import DIGESTS, KINDS, Mail, Notification
from nbcampus.school.notifications.nudges import nudge
from nbcampus.school.notifications.outbox import outbox_counts
from nbcampus.school.notifications.outreach import message_learners, nudge_overview
from nbcampus.school.notifications.preferences import (
    preferences_view,
    record_hub_address,
    turn_off_email,
    update_preferences,
    verified_address,
)
from nbcampus.school.notifications.reminders import DEFAULT_OFFSETS, remind
from nbcampus.school.notifications.sender import MailSender
from nbcampus.school.notifications.sessions import remind_sessions
from nbcampus.school.notifications.settings import Mailer
from nbcampus.school.notifications.tokens import load_or_create_secret, verify
from nbcampus.school.notifications.tokens import verify_address as read_address_key
from nbcampus.school.notifications.verification import ask_to_confirm, confirm_address

__all__ = [
    "Composer",
    "compose_digests",
    "compose_single",
    "mark_read",
    "my_notifications",
    "notify",
    "DIGESTS",
    "KINDS",
    "Mail",
    "Notification",
    "nudge",
    "outbox_counts",
    "message_learners",
    "nudge_overview",
    "preferences_view",
    "record_hub_address",
    "turn_off_email",
    "update_preferences",
    "verified_address",
    "DEFAULT_OFFSETS",
    "remind",
    "remind_sessions",
    "MailSender",
    "Mailer",
    "load_or_create_secret",
    "verify",
    "read_address_key",
    "ask_to_confirm",
    "confirm_address",
]
