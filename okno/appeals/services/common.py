"""Loading an appeal for change, under a lock, with the caller's rights checked."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.models import Appeal, Tag
from okno.appeals.services.actors import Actor
from okno.core import fastsql
from okno.core.errors import NotFound


def lock(appeal: Appeal | int) -> Appeal:
    """The current row, locked until the transaction ends (a no-op lock on SQLite,
    where the IMMEDIATE transaction already holds the write lock). Two people
    changing one appeal at once are serialised instead of overwriting each other."""
    pk = appeal.pk if isinstance(appeal, Appeal) else appeal
    try:
        return Appeal.objects.select_for_update(of=("self",)).select_related("queue", "kind", "client").get(pk=pk)
    except Appeal.DoesNotExist:
        raise NotFound("appeal not found") from None


def check_for(actor: Actor, appeal: Appeal | int, action: access.Action) -> None:
    """Check rights without a lock, before work done ahead of the transaction
    (writing files); the operation checks again under the lock."""
    if not isinstance(actor, User):
        return
    pk = appeal.pk if isinstance(appeal, Appeal) else appeal
    found = Appeal.objects.filter(pk=pk).only("id", "number", "queue_id", "assignee_id").first()
    if found is None:
        raise NotFound("appeal not found")
    access.require(actor, action, found)


def lock_for(actor: Actor, appeal: Appeal | int, action: access.Action) -> Appeal:
    locked = lock(appeal)
    if isinstance(actor, User):
        access.require(actor, action, locked)
    return locked


def tags_by_name(names: Iterable[str]) -> list[Tag]:
    """Tags with these names, created if new; blanks and repeats dropped."""
    tags = []
    for name in tag_names(names):
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


def tag_names(names: Iterable[str]) -> list[str]:
    """The names of the tags ``names`` stand for: spaces collapsed, cut to a tag's
    length, blanks and repeats dropped, sorted."""
    return sorted({" ".join(n.split())[:60] for n in names if n and n.strip()})


def tags_named(names: Iterable[str]) -> dict[str, Tag]:
    """The tags with these (clean) names in one query, the missing ones created."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    # Fixed SQL: rules tag many appeals as they arrive, and the ORM would compile this each time.
    sql = f"SELECT id, name FROM appeals_tag WHERE name IN ({fastsql.placeholders(wanted)})"  # noqa: S608 - placeholders only
    db = connection.alias
    found = {
        name: Tag.from_db(db, ["id", "name"], (pk, name)) for pk, name in fastsql.select(sql, wanted, [None, None])
    }
    for name in wanted:
        if name not in found:
            found[name] = Tag.objects.get_or_create(name=name)[0]
    return found


def remember_tags(appeal: Appeal, tags: list[Tag]) -> None:
    """Let ``appeal.tags.all()`` answer from memory, as after ``prefetch_related``:
    whoever shows a just-registered appeal needs no query for what we just set."""
    # No tags (most appeals): an empty queryset answers every question about them,
    # and costs a fraction of the related manager a batch would make per appeal.
    cached = appeal.tags.all() if tags else Tag.objects.none()
    cached._result_cache = sorted(tags, key=lambda tag: tag.name)
    cached._prefetch_done = True  # type: ignore[attr-defined]
    appeal._prefetched_objects_cache = {"tags": cached}  # type: ignore[attr-defined]
