"""erasure marks: people erased before this revision kept their user id in the clear (the
only way a later request naming it found them); it becomes its erasure mark, a keyed hash
that later look-ups compare against (collector/people/lookup.py, docs/governance.md). Their email
and browser id were already blanked. Not reversible: the clear id is gone by design.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from collector.people.lookup import ERASED_PREFIX, erasure_mark

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

people = sa.table('people', sa.column('id', sa.Integer), sa.column('site_id', sa.Integer),
                  sa.column('external_id', sa.String), sa.column('erased_at', sa.DateTime))


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(people.c.id, people.c.site_id, people.c.external_id).where(
        people.c.erased_at.is_not(None), people.c.external_id.is_not(None),
        people.c.external_id.not_like(f'{ERASED_PREFIX}%'))).all()
    for person_id, site_id, external_id in rows:
        bind.execute(people.update().where(people.c.id == person_id).values(
            external_id=erasure_mark(site_id, 'external_id', external_id)))


def downgrade() -> None:
    pass  # the marks stay: the ids they replaced are not kept anywhere
