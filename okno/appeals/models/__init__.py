from okno.appeals.models.appeal import Appeal, AppealCounter, AppealLink
from okno.appeals.models.event import Event
from okno.appeals.models.message import Attachment, Message
from okno.appeals.models.reference import Category, Kind, Tag
from okno.appeals.models.search import AppealSearch

__all__ = [
    "Appeal",
    "AppealCounter",
    "AppealLink",
    "AppealSearch",
    "Attachment",
    "Category",
    "Event",
    "Kind",
    "Message",
    "Tag",
]
