"""One way to write an email to an account holder, or to someone invited to become one.

The counterpart of `registration.messages.queue_for_registration` for mail that is not about a
seat (a password reset, a speaker or team invitation): the caller states the template, the
context and who it is for; the language, the envelope and the queueing are decided here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from eventhub.accounts.models import User
from eventhub.i18n import language, recipient_language
from eventhub.mail.compose import mailbox
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, queue_message, render_email


class Series(Protocol):
    """What an email needs of the series it is sent for (mail/ sits below scheduling/)."""

    @property
    def id(self) -> int: ...

    @property
    def default_language(self) -> str: ...


@dataclass(frozen=True)
class Addressee:
    """Who a message goes to, and what decides its language and sender.

    `account` is theirs when they have one (its language comes first); `series` names the
    sender ("<series title>" <no-reply@…>) and is the next choice of language.
    """

    email: str
    name: str = ""
    account: User | None = None
    series: Series | None = None
    reply_to: str | None = None


def reply_address(person: User | None) -> str | None:
    """`"Name" <address>` of an account, for replies to reach them; None without one."""
    if person is None:
        return None
    return mailbox(person.display_name or person.email, person.email)


def queue_for_account(
    to: Addressee,
    kind: MessageKind,
    template: str,
    key: DedupeKey,
    context: Callable[[], Mapping[str, Any]],
) -> int | None:
    """Render `template` now in the recipient's language (its `context` is built in that
    language too) and queue it; its row id, or None when `key` was queued before."""
    with language(recipient_language(to.account, to.series)):
        email = render_email(template, **context())
    envelope = Envelope(
        kind=kind,
        dedupe_key=str(key),
        recipient_email=to.email,
        recipient_name=to.name,
        reply_to=to.reply_to,
        series_id=to.series.id if to.series is not None else None,
    )
    return queue_message(envelope, email)
