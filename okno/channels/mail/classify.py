"""Is a parsed mail a bounce or an automatic message rather than a person writing?

Bounces (delivery status notifications, RFC 3464, and the free-text reports of
older MTAs) are reported with what failed for whom and the Message-ID of the mail
that bounced, so the outbound message can be marked undelivered. Automatic mail
(RFC 3834 and the headers and subjects robots use in practice) must never open an
appeal and must never be answered. A bounce is not reported as an auto-reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message

__all__ = ["BounceReport", "auto_reply_reason", "find_bounce"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class BounceReport:
    """What a delivery status notification or an MTA bounce says."""

    original_message_id: str  # of the message that bounced; '' if not found
    recipients: list[str] = field(default_factory=list)
    action: str = ""  # 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | ''
    status: str = ""  # RFC 3463 code, "5.1.1"
    diagnostic: str = ""

    @property
    def is_failure(self) -> bool:
        """The message did not and will not reach (some of) its recipients."""
        return self.action == "failed" or (not self.action and self.status.startswith("5"))


_ACTION_RANK = {"failed": 5, "delayed": 4, "relayed": 2, "expanded": 2, "delivered": 1}
_ACTION_SYNONYMS = {"failure": "failed", "fail": "failed", "error": "failed", "delay": "delayed"}
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_SMTP_REPLY = re.compile(r"^[ \t]*(?:[^\n]{0,200}?:[ \t]*)?([45]\d\d[ -][^\n]{3,})$", re.MULTILINE)
_SCAN = 50_000  # characters of a bounce's text searched: the report is at the top
_MESSAGE_ID = re.compile(
    r"^[ \t>]*(?:X-)?(?:Original-)?Message-ID[ \t]*:[ \t]*<?([^\s<>]+@[^\s<>]+?)>?[ \t]*$", re.I | re.M
)
_DAEMON_LOCAL = re.compile(r"^(?:mailer-?daemon|mail-?daemon|mdaemon)$", re.I)
_DAEMON_NAME = re.compile(r"mail delivery (?:subsystem|system|service)|mailer[- ]daemon", re.I)
# Postmaster is a person's role mailbox too: a bounce sign only with a bounce subject.
_POSTMASTER_LOCAL = re.compile(r"^(?:postmaster|mail\.?delivery|bounces?)$", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|return(?:ed)? to sender|delivery (?:status notification|failure|has failed|failed|"
    r"problem|report|notification)|mail delivery fail|failure notice|could not be delivered|non[- ]?deliver|"
    r"not delivered|delivery fail|warning: could not send|delayed mail|mail system error|"
    r"не доставлен|недоставлен|не может быть доставлен|не удалось доставить|ошибка доставки|"
    r"уведомление о (?:доставке|недоставке)|отчет о доставке|отчёт о доставке",
    re.I,
)
_DELAY_WORDS = re.compile(r"\bdelay|could not send message for past|will (?:retry|keep trying)|задерж", re.I)


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    name = ""
    for line in block.split("\n"):
        if line[:1] in (" ", "\t") and name:
            fields[name] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep and key.strip():
            name = key.strip().lower()
            fields.setdefault(name, value.strip())
    return fields


def _address(value: str) -> str:
    value = value.split(";", 1)[1] if ";" in value else value
    return value.strip().strip("<>").strip()


def _from_dsn(texts: Iterable[str]) -> BounceReport | None:
    """The worst per-recipient outcome of message/delivery-status parts."""
    per_recipient: list[dict[str, str]] = []
    for text in texts:
        for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip()):
            fields = _fields(block)
            if any(k in fields for k in ("final-recipient", "original-recipient", "action", "status")):
                per_recipient.append(fields)
    if not per_recipient:
        return None
    outcomes = []
    for fields in per_recipient:
        action = fields.get("action", "").lower().split(" ", 1)[0].strip(" ;,")
        action = _ACTION_SYNONYMS.get(action, action)
        status_match = _STATUS.search(fields.get("status", ""))
        status = status_match.group(1) if status_match else ""
        if action not in _ACTION_RANK:
            action = {"5": "failed", "4": "delayed", "2": "delivered"}.get(status[:1], "")
        recipient = _address(fields.get("final-recipient") or fields.get("original-recipient", ""))
        diagnostic = fields.get("diagnostic-code", "")
        diagnostic = diagnostic.split(";", 1)[1] if ";" in diagnostic[:12] else diagnostic
        diagnostic = " ".join(diagnostic.split())
        outcomes.append((action, recipient, status, diagnostic))
    worst = max(outcomes, key=lambda o: _ACTION_RANK.get(o[0], 0))
    recipients = [o[1] for o in outcomes if o[0] == worst[0] and o[1]]
    return BounceReport("", list(dict.fromkeys(recipients)), worst[0], worst[2], worst[3][:1000])


def _flufl_failures(msg: Message) -> tuple[list[str], list[str]]:
    """(temporary, permanent) failed recipients found by flufl.bounce's detectors."""
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(msg)
    except Exception:  # noqa: BLE001 (a detector choking on odd mail must not stop the parse)
        log.warning("flufl.bounce failed on a suspected bounce")
        return [], []
    return (
        sorted(a.decode("ascii", "replace") for a in temporary),
        sorted(a.decode("ascii", "replace") for a in permanent),
    )


def _is_daemon(address: str, name: str) -> bool:
    local = address.rsplit("@", 1)[0] if address else ""
    return bool(_DAEMON_LOCAL.match(local) or (name and _DAEMON_NAME.search(name)))


def find_bounce(
    msg: Message,
    *,
    header: Callable[[str], str],
    subject: str,
    sender: tuple[str, str],
    own_message_id: str,
    is_report: bool,
    dsn_texts: list[str],
    returned_ids: list[str],
    texts: list[str],
) -> BounceReport | None:
    """A BounceReport if ``msg`` reports on the delivery of an earlier message.

    ``msg`` goes to flufl.bounce's detectors (free-text bounces: Exim, qmail, old
    Sendmail …), which read all of it: pass a truncated copy of a big message.
    ``is_report``: a multipart/report of delivery status, a bounce even when its
    status part is missing. ``dsn_texts``: the message/delivery-status parts.
    ``returned_ids``: Message-IDs of returned messages (message/rfc822,
    text/rfc822-headers). ``texts``: the body and returned headers, searched for a
    Message-ID when the MTA pasted the returned message inline.
    """
    report = _from_dsn(dsn_texts) if dsn_texts else None
    failures: tuple[list[str], list[str]] | None = None
    if report is None:
        name, address = sender
        daemon = _is_daemon(address, name)
        postmaster = bool(_POSTMASTER_LOCAL.match(address.rsplit("@", 1)[0]))
        robot = (
            daemon
            or postmaster
            or header("return-path").strip() == "<>"
            or header("auto-submitted").lower().startswith("auto-")
        )
        failed_header = header("x-failed-recipients")
        bounce_subject = bool(_BOUNCE_SUBJECT.search(subject[:300]))
        if not is_report and (not (robot or failed_header) or not (bounce_subject or failed_header or daemon)):
            return None
        temporary, permanent = failures = _flufl_failures(msg)
        extra = [a.strip() for a in failed_header.split(",") if "@" in a]
        if not (permanent or temporary or extra or bounce_subject or is_report):
            return None
        body = "\n".join(text[:_SCAN] for text in texts)
        if permanent or extra:
            action = "failed"
        elif temporary or _DELAY_WORDS.search(subject[:300]) or _DELAY_WORDS.search(body[:5000]):
            action = "delayed"
        else:
            action = "failed"
        status = _STATUS.search(body)
        reply = _SMTP_REPLY.search(body)
        report = BounceReport(
            "",
            list(dict.fromkeys([*(permanent or temporary), *extra])),
            action,
            status.group(1) if status else "",
            reply.group(1).strip()[:1000] if reply else "",
        )
    if not report.recipients and report.action in ("failed", "delayed"):
        temporary, permanent = failures or _flufl_failures(msg)
        report.recipients = list(dict.fromkeys(permanent or temporary))
    if not report.status and report.diagnostic:
        status = _STATUS.search(report.diagnostic)
        report.status = status.group(1) if status else ""
    candidates = [i for i in returned_ids if i and i != own_message_id]
    if not candidates:
        for text in (*dsn_texts, *texts):
            candidates = [i for i in _MESSAGE_ID.findall(text[:_SCAN]) if i != own_message_id]
            if candidates:
                break
    report.original_message_id = candidates[0] if candidates else ""
    # Heuristic detectors sometimes take the returned Message-ID for an address.
    ids = {own_message_id, *returned_ids, report.original_message_id}
    report.recipients = [r for r in report.recipients if r not in ids]
    return report


_OOF_SUBJECT = re.compile(
    r"out of (?:the )?office|\bautomatic reply|\bauto(?:matic)?[ -]?(?:reply|response|answer)|\bautoreply"
    r"|\bauto-?respon|away from (?:the )?office|\bon vacation|vacation (?:reply|notice|message)"
    r"|abwesenheitsnotiz|réponse automatique|автоответ|автоматический ответ|нет на месте|вне офиса|"
    r"в отпуске|не в офисе|отсутствую",
    re.I,
)
_TOKENS = re.compile(r"[\s,;]+")
_AUTOREPLY_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autoresponder",
    "x-autogenerated",
    "x-autoreply-from",
    "x-mail-autoreply",
)


def auto_reply_reason(*, header: Callable[[str], str], subject: str, sender: tuple[str, str], report_type: str) -> str:
    """Why a (non-bounce) message is automatic, or ''. First match wins, in RFC
    3834's order of trust: headers the robot sets, then the subject, then lists."""
    auto = header("auto-submitted").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return "auto-submitted"
    for name in _AUTOREPLY_HEADERS:
        value = header(name).strip().lower()
        if value and value not in ("no", "false", "0", "off"):
            return "x-autoreply"
    suppress = header("x-auto-response-suppress").lower()
    if suppress and {"oof", "all"} & set(_TOKENS.split(suppress)):
        return "x-auto-response-suppress"
    if header("precedence").strip().lower() in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        return "precedence"
    if report_type:
        return report_type  # a read receipt (disposition-notification), an abuse report …
    if _OOF_SUBJECT.search(subject[:300]):
        return "out-of-office"
    if header("list-id") or header("list-unsubscribe"):
        return "list"
    if _is_daemon(sender[1], sender[0]):
        return "mailer-daemon"
    if header("return-path").strip() == "<>":
        return "null-sender"
    return ""
