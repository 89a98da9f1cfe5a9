"""Alembic environment of the nbcampus service database."""

from alembic import context
from sqlalchemy import create_engine

# every concept's tables, so that autogenerate compares the whole schema
from nbcampus.school.catalog import models as _catalog  # noqa: F401
from nbcampus.school.certificates import models as _certificates  # noqa: F401
from nbcampus.school.core.audit import AuditEvent  # noqa: F401
from nbcampus.school.core.models import Base
from nbcampus.school.deadlines import models as _deadlines  # noqa: F401
from nbcampus.school.discussion import models as _discussion  # noqa: F401
from nbcampus.school.enrolment import models as _enrolment  # noqa: F401
from nbcampus.school.exchange import models as _exchange  # noqa: F401
from nbcampus.school.grading import models as _grading  # noqa: F401
from nbcampus.school.lti import models as _lti  # noqa: F401
from nbcampus.school.notifications import models as _notifications  # noqa: F401
from nbcampus.school.peer_review import models as _peer_review  # noqa: F401
from nbcampus.school.profiles import models as _profiles  # noqa: F401
from nbcampus.school.progress import models as _progress  # noqa: F401
from nbcampus.school.quizzes import models as _quizzes  # noqa: F401
from nbcampus.school.rewards import models as _rewards  # noqa: F401

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
