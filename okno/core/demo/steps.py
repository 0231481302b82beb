"""The steps of a story: each calls one service on one appeal, later, at its own moment in the past."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from okno.accounts.models import User
from okno.appeals.choices import Channel, Status
from okno.appeals.models import Appeal
from okno.appeals.services import (
    Actor,
    InboundContent,
    IncomingFile,
    SystemActor,
    add_message,
    add_note,
    approve_reply,
    cancel,
    create_subcase,
    merge,
    register_appeal,
    reply,
    return_reply,
    revise_reply,
    update_fields,
)
from okno.core.demo import files
from okno.core.demo.records import MERGED, Plan, Spec, Step
from okno.core.demo.texts import CANCEL_REASONS, MERGE_COMMENTS, TextsMixin


class StepsMixin(TextsMixin):
    """A step is a closure made while planning; it reads ids (appeal, sub-case, reply) the
    earlier steps of its plan left behind, as it runs."""

    def _guard(self, p: Plan, fn: Step, name: str) -> Step:
        """A step that runs only once its appeal exists and its story is not broken."""

        def run() -> None:
            if not p.broken and (p.appeal_id or name == "register_appeal"):
                fn()

        run.__name__ = name
        return run

    def step(self, p: Plan, service: Callable[..., Any], actor: Actor, *args: Any, **kwargs: Any) -> Step:
        def run() -> None:
            service(actor, p.appeal_id, *args, **kwargs)

        return self._guard(p, run, service.__name__)

    def step_sub(self, p: Plan, service: Callable[..., Any], actor: Actor, *args: Any, **kwargs: Any) -> Step:
        def run() -> None:
            if p.subcase_id:
                service(actor, p.subcase_id, *args, **kwargs)

        return self._guard(p, run, f"subcase {service.__name__}")

    def step_approve(self, p: Plan, actor: User) -> Step:
        def run() -> None:
            approve_reply(actor, p.message_id, comment=p.rng.choice(("", "Согласовано.")))

        return self._guard(p, run, "approve_reply")

    def step_return(self, p: Plan, actor: User, comment: str) -> Step:
        def run() -> None:
            return_reply(actor, p.message_id, comment=comment)

        return self._guard(p, run, "return_reply")

    def _files(self, rng: random.Random, spec: Spec, names: Sequence[str]) -> list[IncomingFile]:
        out = []
        for number, name in enumerate(names):
            if name.endswith(".png"):
                colour = (rng.randint(40, 220), rng.randint(40, 220), rng.randint(40, 220))
                out.append(IncomingFile(name=name, content=files.png(colour)))
            else:
                out.append(IncomingFile(name=name, content=files.pdf(f"Okno demo document {spec.index}-{number}")))
        return out

    def step_register(self, p: Plan, actor: Actor, queue_code: str | None, assignee: User | None) -> Step:
        spec = p.spec

        def register() -> None:
            sc = spec.scenario
            text = self.pick_text(sc.texts, spec)
            if spec.duplicate and spec.end == MERGED:
                text = "Повторно направляю своё обращение, ответа пока нет.\n\n" + text
            summary = self.pick_text(sc.summaries, spec)
            mentions = any(w in text for w in ("прикладываю", "прилагаю", "во вложении"))
            names = sc.files or (("скан.pdf",) if mentions else ())
            content = None
            description = ""
            appeal_files: list[IncomingFile] = []
            if spec.channel in (Channel.MAIL, Channel.PORTAL, Channel.MESSENGER):
                attach = names and p.rng.random() < 0.7
                content = InboundContent(
                    body_text=self.letter(spec, text), files=self._files(p.rng, spec, names) if attach else []
                )
            elif spec.channel == Channel.API:
                description = text
            else:
                description = summary
                if spec.channel == Channel.PAPER:
                    appeal_files = self._files(p.rng, spec, ("письмо.pdf",))
            product_codes = [c for c in sc.products if c in self.products]
            appeal = register_appeal(
                actor,
                subject=self.pick_text(sc.subjects, spec),
                channel=spec.channel,
                description=description,
                kind=self.kinds[sc.kind],
                client=spec.client.client,
                category=None if queue_code is None else self.categories[sc.category],
                product=self.products[p.rng.choice(product_codes)] if product_codes else None,
                priority=spec.priority,
                queue=None if queue_code is None else self.queues[queue_code],
                assignee=assignee,
                tags=spec.tags,
                created_at=spec.t0,
                content=content,
                files=appeal_files,
            )
            p.appeal_id = appeal.pk

        return self._guard(p, register, "register_appeal")

    def step_merge(self, p: Plan, actor: User) -> Step:
        def run() -> None:
            if p.target is None or not p.target.appeal_id:
                cancel(actor, p.appeal_id, reason=p.rng.choice(CANCEL_REASONS))
                return
            merge(actor, p.appeal_id, p.target.appeal_id, comment=p.rng.choice(MERGE_COMMENTS))

        return self._guard(p, run, "merge")

    def step_note(self, p: Plan, actor: User, template: str) -> Step:
        def run() -> None:
            add_note(actor, p.appeal_id, body_text=self.render(template, p.spec))

        return self._guard(p, run, "add_note")

    def step_sub_note(self, p: Plan, actor: User, template: str) -> Step:
        def run() -> None:
            if p.subcase_id:
                add_note(actor, p.subcase_id, body_text=self.render(template, p.spec))

        return self._guard(p, run, "subcase add_note")

    def step_tag(self, p: Plan, actor: User, tag: str) -> Step:
        def run() -> None:
            current = list(Appeal.objects.get(pk=p.appeal_id).tags.values_list("name", flat=True))
            update_fields(actor, p.appeal_id, {"tags": [*current, tag]})

        return self._guard(p, run, "update_fields tags")

    def step_reply(self, p: Plan, actor: User, template: str, status_after: Status) -> Step:
        def run() -> None:
            body = self.answer_text(p.spec, actor, self.render(template, p.spec))
            message = reply(actor, p.appeal_id, body_text=body, status_after=status_after)
            p.message_id = message.pk

        return self._guard(p, run, "reply")

    def step_revise(self, p: Plan, actor: User, template: str) -> Step:
        def run() -> None:
            body = self.answer_text(p.spec, actor, self.render(template, p.spec))
            revise_reply(actor, p.message_id, body_text=body)

        return self._guard(p, run, "revise_reply")

    def step_inbound(self, p: Plan, template: str, worker: User) -> Step:
        """The client writes again: by the appeal's channel, or by mail after a call."""
        spec = p.spec

        def run() -> None:
            channel = spec.channel
            if channel in (Channel.PHONE, Channel.IN_PERSON, Channel.PAPER, Channel.API):
                channel = Channel.MAIL if p.rng.random() < 0.7 else Channel.PHONE
            actor: Actor = worker if channel == Channel.PHONE else SystemActor(str(channel))
            text = self.render(template, spec)
            mentions = any(w in text for w in ("прикладываю", "прилагаю", "во вложении"))
            sent = self._files(p.rng, spec, ("фото.png",) if "фото" in text else ("скан.pdf",)) if mentions else []
            add_message(
                actor,
                p.appeal_id,
                body_text=self.letter(spec, text) if channel == Channel.MAIL else text,
                channel=channel,
                files=sent if channel != Channel.PHONE else [],
            )

        return self._guard(p, run, "add_message")

    def step_subcase(self, p: Plan, actor: User, sub_worker: User) -> Step:
        sub = p.spec.scenario.subcase
        assert sub is not None

        def run() -> None:
            parent = Appeal.objects.get(pk=p.appeal_id)
            subcase = create_subcase(
                actor,
                parent,
                subject=self.render(sub.subject, p.spec),
                description=self.render(sub.description, p.spec),
                queue=self.queues[sub.queue],
                assignee=sub_worker,
            )
            p.subcase_id = subcase.pk

        return self._guard(p, run, "create_subcase")
