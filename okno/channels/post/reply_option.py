"""The "send as a paper letter" option of the reply form on the appeal page
(``okno.appeals.delivery.ReplyOption``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from okno.accounts.models import User
from okno.appeals.choices import Channel
from okno.appeals.delivery import ReplyOption
from okno.appeals.models import Appeal, Message
from okno.appeals.views.common import current_user
from okno.channels.post.forms import AddressForm
from okno.channels.post.services.letters import Address, address_of, reply_by_post
from okno.core.errors import InvalidInput


def _context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    return {
        "paper_default": appeal.channel == Channel.PAPER,
        "paper_address": address_of(appeal.client),
    }


def _reply(request: HttpRequest, appeal: Appeal, data: dict[str, Any]) -> Message:
    form = AddressForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(" ".join(str(e) for errors in form.errors.values() for e in errors))
    fields = form.cleaned_data
    user: User = current_user(request)
    return reply_by_post(
        user,
        appeal,
        Address(
            addressee=fields["addressee"],
            address=fields["address"],
            postcode=fields["postcode"],
            locality=fields["locality"],
            phone=fields["phone"],
        ),
        body_text=data["body_text"],
        status_after=data["status_after"],
        files=data.get("files", ()),
        save_to_client=fields["save_to_client"],
    )


OPTION = ReplyOption(channel=Channel.PAPER, template="post/_reply_option.html", context=_context, reply=_reply)
