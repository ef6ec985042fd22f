"""The few cross-domain signals. Receivers run inside the sender's transaction.

A lower domain sends; the domains above it receive. Receivers are connected in one step of the
app factory (`eventhub.receivers.register_signals`), never by importing a views module.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Something done to an account's own sign-in (tokens, second factor, recovery codes) that the
# activity log keeps. sender: the acting User, or None at the shell. kwargs: action (a code such
# as "cli.revoke_tokens"), target (words), changes (dict of what changed, never a secret).
account_action = _signals.signal("account-action")
# sender: the new Series (created or duplicated). kwargs: creator (User or None).
series_created = _signals.signal("series-created")
# sender: the Session. kwargs: previous_starts_at (datetime), reason (str)
session_rescheduled = _signals.signal("session-rescheduled")
# sender: the Session. kwargs: reason (str), was_public (bool: it had been published)
session_cancelled = _signals.signal("session-cancelled")
# sender: the Session, when it first becomes public (whole-series registrants join it).
session_published = _signals.signal("session-published")
# Asked before a series or a session is deleted. sender: the Series / the Session. Receivers
# return a list of what of theirs depends on it, in words ("2 registration(s)"); any entry
# refuses the deletion. Receivers answer in the order they are connected.
deleting_series = _signals.signal("deleting-series")
deleting_session = _signals.signal("deleting-session")
# Asked how many people a change to a session will reach. sender: the Session. Receivers
# return a count (registration: its registrations, whatever their status).
counting_audience = _signals.signal("counting-audience")
# Sent for each session of a series being duplicated, before the copy is flushed. sender: the
# source Session. kwargs: copy (the new Session). Receivers copy what they attach to a session.
session_copied = _signals.signal("session-copied")
# Sent when a series has been duplicated, after the copy and its sessions are flushed. sender: the
# source Series. kwargs: copy (the new Series). Receivers copy what they attach to a series.
series_copied = _signals.signal("series-copied")
# Asked for a session's warnings before it is published. sender: the Session. Receivers return
# a list of eventhub.scheduling.checks.Warning (speakers: someone booked twice at once).
checking_publication = _signals.signal("checking-publication")
# Sent when an organiser changes a session's capacity. sender: the Session. kwargs: capacity
# (int or None: unlimited). Receivers apply it to what they hold (registration: under the seat
# lock, moving the waitlist up) and return a refusal for the organiser (str) or None.
capacity_changing = _signals.signal("capacity-changing")

# Sent by mail delivery before a batch goes out. kwargs: rows (outbox rows not yet suppressed),
# now (datetime). Receivers return {row id: reason} for rows the world has overtaken.
checking_outbox_rows = _signals.signal("checking-outbox-rows")
# Sent by mail delivery for the series its rows are about. kwargs: series_ids (set[int]).
# Receivers return {series id: mail.guards.SeriesSender} (From name, organiser Reply-To).
resolving_senders = _signals.signal("resolving-senders")
# Sent by mail delivery for rows whose attachments are built at send time (a DeferredEmail
# with `attach`). kwargs: rows. Receivers return {row id: [Attachment]} for the rows they know.
building_attachments = _signals.signal("building-attachments")
# Sent by mail delivery for deferred rows queued without a context snapshot (a DeferredEmail
# with `build`). kwargs: rows. Receivers return {row id: context} (JSON values, as a snapshot
# reads) for the rows they know.
building_contexts = _signals.signal("building-contexts")
