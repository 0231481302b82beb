"""One function per business operation on appeals. The UI, the API, channel
intake and the portal all call these; nothing else writes appeals.

Each runs in a transaction, checks the actor's rights (``okno.appeals.access``),
appends events, and publishes a live update that leaves only on commit.
"""

from okno.appeals.services.actors import Actor, SystemActor
from okno.appeals.services.attachments import IncomingFile, upload
from okno.appeals.services.fields import assign, link, unlink, update_fields
from okno.appeals.services.messages import (
    add_message,
    add_note,
    approve_reply,
    reply,
    return_reply,
    revise_reply,
)
from okno.appeals.services.registration import (
    InboundContent,
    InvalidItem,
    Registration,
    create_subcase,
    register_appeal,
    register_appeals,
    require_can_register,
)
from okno.appeals.services.workflow import cancel, change_status, close, merge, reopen

__all__ = [
    "Actor",
    "InboundContent",
    "IncomingFile",
    "InvalidItem",
    "Registration",
    "SystemActor",
    "add_message",
    "add_note",
    "approve_reply",
    "assign",
    "cancel",
    "change_status",
    "close",
    "create_subcase",
    "link",
    "merge",
    "register_appeal",
    "register_appeals",
    "reopen",
    "reply",
    "require_can_register",
    "return_reply",
    "revise_reply",
    "unlink",
    "update_fields",
    "upload",
]
