"""The double-envelope secret ballot, for any contest: a poll now, a participatory budget next.

A *contest* is a Wagtail page (a `PollPage`, a budget page) and a *scope* within it ("" for
a poll, a heading's id for a budget). The page kind provides two methods:

* ``voting_has_closed(moment=None) -> bool``
* ``open_ballots(opened: list[OpenedBallot]) -> dict``: store the plaintext ballots in the
  order given (already shuffled), in one bulk insert, with no link to anyone, and return
  the results to keep (JSON). Called once, inside the opening's transaction.

Casting (``cast``) writes, in one transaction, the `Participation` (who) and a
`SealedEnvelope` (what, sealed with the contest's public key; padded so its length says
nothing). Envelopes are *mixed* in batches (rewritten together, in random order, with new
ids, by one transaction), so after a mix neither a transaction id (xmin) nor the row order
ties an envelope to its participation. At the close, ``open_contest`` decrypts every
envelope, shuffles, hands the payloads to the page, records the receipts as counted (in
hash order, apart from the ballots), destroys the envelopes and the private key, and keeps
the results: once, under a row lock. See voting/README.md, "Secrecy", for the threat model.
"""

import datetime
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl import encoding, public
from nacl import hash as nacl_hash
from nacl import secret as nacl_secret
from nacl.exceptions import CryptoError

from voting.models import BallotBox, CountedReceipt, Participation, SealedEnvelope

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 16
PAD_TO = 512  # bytes: envelopes of one contest all have the same length (unless huge)
LIVE_SECONDS = 30
_random = secrets.SystemRandom()


class VoteRefused(Exception):
    """A vote that cannot be taken, with the reasons to show the person."""

    def __init__(self, *reasons):
        super().__init__(" ".join(str(r) for r in reasons))
        self.reasons = [str(r) for r in reasons]


class AlreadyVoted(VoteRefused):
    """This person has voted in this contest and scope already."""


class NotAVoter(VoteRefused):
    """A change asked by someone who has not voted in this contest and scope."""


class UnknownReceipt(VoteRefused):
    """A change with a receipt that names no sealed vote of this contest and scope."""


@dataclass(frozen=True)
class OpenedBallot:
    scope: str
    channel: str
    payload: dict


@dataclass(frozen=True)
class ReceiptCheck:
    """What a receipt proves. `payload` only while the contest is open (for its holder)."""

    counted: bool
    scope: str = ""
    payload: dict | None = None
    total_counted: int = 0


# Receipt codes: 16 random characters (80 bits), shown once as XXXX-XXXX-XXXX-XXXX.


def new_receipt():
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt(raw):
    """The receipt as printed (XXXX-XXXX-XXXX-XXXX), or "" if it cannot be one."""
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw or "")).upper()
    if len(code) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in code):
        return ""
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


# Keys: everything derives from BALLOT_KEY_SECRET, which is not in the database.


def _derived_key(purpose, data=b""):
    secret_value = getattr(settings, "BALLOT_KEY_SECRET", "")
    if not secret_value:
        raise ImproperlyConfigured("BALLOT_KEY_SECRET is not set (see voting/README.md).")
    master = nacl_hash.blake2b(
        secret_value.encode(), digest_size=64, person=b"ballot-master", encoder=encoding.RawEncoder
    )
    return nacl_hash.blake2b(
        data, key=master, person=purpose, digest_size=32, encoder=encoding.RawEncoder
    )


def receipt_hash(code):
    """The keyed hash stored for a receipt: useless without BALLOT_KEY_SECRET."""
    return nacl_hash.blake2b(
        normalise_receipt(code).encode(), key=_derived_key(b"receipt"), digest_size=32
    ).decode()


def _review_box(code):
    key = nacl_hash.blake2b(
        normalise_receipt(code).encode(),
        key=_derived_key(b"review"),
        digest_size=32,
        encoder=encoding.RawEncoder,
    )
    return nacl_secret.SecretBox(key)


def _wrapping_box(contest_id):
    return nacl_secret.SecretBox(_derived_key(b"wrap", str(contest_id).encode()))


def _encode(payload):
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return data + b" " * (-len(data) % PAD_TO)


def _decode(data):
    return json.loads(bytes(data).decode())


def box_for(contest):
    """The contest's ballot box, with a new key pair the first time (safe under races)."""
    box = BallotBox.objects.filter(contest_id=contest.pk).first()
    if box is not None:
        return box
    private = public.PrivateKey.generate()
    try:
        with transaction.atomic():
            return BallotBox.objects.create(
                contest_id=contest.pk,
                public_key=bytes(private.public_key),
                wrapped_private_key=bytes(_wrapping_box(contest.pk).encrypt(bytes(private))),
            )
    except IntegrityError:
        return BallotBox.objects.get(contest_id=contest.pk)


def _private_key(box):
    if not box.wrapped_private_key:
        raise VoteRefused(_("This vote has been counted; its sealed ballots no longer exist."))
    try:
        raw = _wrapping_box(box.contest_id).decrypt(bytes(box.wrapped_private_key))
    except CryptoError:
        raise ImproperlyConfigured(
            "This ballot box's key cannot be unwrapped: BALLOT_KEY_SECRET is not the one it "
            "was created with."
        ) from None
    return public.PrivateKey(raw)


def _seal(box, payload):
    return bytes(
        public.SealedBox(public.PublicKey(bytes(box.public_key))).encrypt(_encode(payload))
    )


def _lock_open_box(box):
    """Share-lock the box for this transaction (the opening takes it exclusively); refuse if
    it was opened. Casts do not wait for each other, only for an opening."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT opened_on FROM voting_ballotbox WHERE id = %s FOR SHARE", [box.pk]
            )
            opened_on = cursor.fetchone()[0]
    else:
        opened_on = BallotBox.objects.values_list("opened_on", flat=True).get(pk=box.pk)
    if opened_on is not None:
        raise VoteRefused(_("Voting has closed; votes are no longer accepted."))


# Casting and changing


def cast(contest, scope, user, payload, channel="online"):
    """Record a first vote; return the receipt code (shown once, never stored in clear).

    The payload is validated by the caller. One transaction holds the participation and
    the sealed envelope, so a crash leaves both or neither, and the unique (contest, scope,
    user) constraint refuses a second vote, also under concurrent submissions.
    """
    box = box_for(contest)
    receipt = new_receipt()
    envelope = SealedEnvelope(
        box=box,
        scope=scope,
        channel=channel,
        sealed=_seal(box, payload),
        review=bytes(_review_box(receipt).encrypt(_encode(payload))),
        receipt_hash=receipt_hash(receipt),
    )
    try:
        with transaction.atomic():
            _lock_open_box(box)
            Participation.objects.create(contest_id=contest.pk, scope=scope, user=user)
            envelope.save(force_insert=True)
    except IntegrityError:
        raise AlreadyVoted(
            _("You have already voted here. To change your answers, use your receipt code.")
        ) from None
    _after_write(box)
    return receipt


def change(contest, scope, user, receipt, payload):
    """Replace the sealed payload of the envelope this receipt names (the last one counts).

    Only a person who voted in this contest and scope may change, and only with a receipt
    of this contest and scope. Returns the normalised receipt.
    """
    code = normalise_receipt(receipt)
    box = BallotBox.objects.filter(contest_id=contest.pk).first()
    if not Participation.objects.filter(contest_id=contest.pk, scope=scope, user=user).exists():
        raise NotAVoter(_("You have not voted here yet."))
    with transaction.atomic():
        envelope = None
        if code and box is not None:
            _lock_open_box(box)
            for _attempt in range(2):  # a concurrent mix may have rewritten it under a new id
                envelope = (
                    SealedEnvelope.objects.select_for_update()
                    .filter(box=box, scope=scope, receipt_hash=receipt_hash(code))
                    .first()
                )
                if envelope is not None:
                    break
        if envelope is None:
            raise UnknownReceipt(_("No vote here matches that receipt code."))
        envelope.sealed = _seal(box, payload)
        envelope.review = bytes(_review_box(code).encrypt(_encode(payload)))
        envelope.mixed = False
        envelope.save(update_fields=["sealed", "review", "mixed"])
    _after_write(box)
    return code


def _after_write(box):
    cache.delete(live_cache_key(box.contest_id))
    mix(box)


def mix_batch():
    return getattr(settings, "BALLOT_MIX_BATCH", 10)


def mix(box, force=False):
    """Rewrite the unmixed envelopes together, in random order, with new ids.

    Runs after each vote once `BALLOT_MIX_BATCH` envelopes wait (and with force=True from
    the opening job). Returns how many were mixed.
    """
    with transaction.atomic():
        try:
            _lock_open_box(box)
        except VoteRefused:
            return 0
        waiting = list(
            SealedEnvelope.objects.select_for_update(skip_locked=True).filter(box=box, mixed=False)
        )
        if not waiting or (len(waiting) < mix_batch() and not force):
            return 0
        SealedEnvelope.objects.filter(pk__in=[e.pk for e in waiting]).delete()
        _random.shuffle(waiting)
        SealedEnvelope.objects.bulk_create(
            [
                SealedEnvelope(
                    box=box,
                    scope=e.scope,
                    channel=e.channel,
                    sealed=bytes(e.sealed),
                    review=bytes(e.review),
                    receipt_hash=e.receipt_hash,
                    mixed=True,
                )
                for e in waiting
            ]
        )
    return len(waiting)


# Opening at the close


def is_opened(contest):
    return BallotBox.objects.filter(contest_id=contest.pk, opened_on__isnull=False).exists()


def open_contest(contest, now=None):
    """Open a closed contest's envelopes, once. Returns the box, or None if not closed yet.

    In one transaction, holding the box's row lock (so concurrent openings wait and then
    find it open, and no cast slips in): decrypt every envelope, shuffle, let the page
    store the plaintext ballots and compute its results, record the receipts as counted,
    destroy the envelopes and the private key.
    """
    contest = contest.specific
    if not contest.voting_has_closed(now):
        return None
    box = box_for(contest)
    with transaction.atomic():
        box = BallotBox.objects.select_for_update().get(pk=box.pk)
        if box.opened_on is not None:
            return box
        private = public.SealedBox(_private_key(box))
        envelopes = list(
            SealedEnvelope.objects.filter(box=box).values_list(
                "scope", "channel", "sealed", "receipt_hash"
            )
        )
        opened = [
            OpenedBallot(scope, channel, _decode(private.decrypt(bytes(sealed))))
            for scope, channel, sealed, _digest in envelopes
        ]
        _random.shuffle(opened)
        box.results = contest.open_ballots(opened)
        CountedReceipt.objects.bulk_create(
            [
                CountedReceipt(box=box, scope=scope, receipt_hash=digest)
                for scope, _channel, _sealed, digest in sorted(envelopes, key=lambda e: e[3])
            ]
        )
        SealedEnvelope.objects.filter(box=box).delete()
        box.opened_on = timezone.localdate(now)
        box.opened_envelopes = len(opened)
        box.wrapped_private_key = b""
        box.save()
    return box


def opened_box(contest, now=None):
    """The opened box of a closed contest, opening it now if nobody has yet (on demand)."""
    box = BallotBox.objects.filter(contest_id=contest.pk, opened_on__isnull=False).first()
    return box or open_contest(contest, now)


def open_due(now=None):
    """Open every closed contest whose box is still sealed (the `open_ballot_boxes` command
    and the job scheduled at each poll's close). Returns how many were opened."""
    count = 0
    for box in BallotBox.objects.filter(opened_on__isnull=True).select_related("contest"):
        contest = box.contest.specific
        if contest.voting_has_closed(now) and open_contest(contest, now) is not None:
            count += 1
    return count


def schedule_opening(contest, when):
    """With Redis, rq's scheduler opens the box just after the close (workers run with
    --with-scheduler). Without it, or if the job is lost, `open_ballot_boxes` and the first
    request for the results open it."""
    if settings.REDIS_URL:
        from cms.jobs import get_queue

        moment = when + datetime.timedelta(seconds=5)
        transaction.on_commit(lambda: get_queue().enqueue_at(moment, open_contest_job, contest.pk))


def open_contest_job(contest_id):
    from wagtail.models import Page

    page = Page.objects.filter(pk=contest_id).first()
    if page is not None:
        open_contest(page)


# Receipts and live tallies


def check_receipt(contest, receipt):
    """What this receipt proves: while open, that the vote is stored (and, for its holder,
    what it says); once opened, only that it was counted. None if it names nothing."""
    code = normalise_receipt(receipt)
    if not code:
        return None
    digest = receipt_hash(code)
    box = BallotBox.objects.filter(contest_id=contest.pk).first()
    if box is None:
        return None
    if box.opened_on is not None:
        row = CountedReceipt.objects.filter(box=box, receipt_hash=digest).first()
        if row is None:
            return None
        return ReceiptCheck(counted=True, scope=row.scope, total_counted=box.opened_envelopes)
    envelope = SealedEnvelope.objects.filter(box=box, receipt_hash=digest).first()
    if envelope is None:
        return None
    try:
        payload = _decode(_review_box(code).decrypt(bytes(envelope.review)))
    except CryptoError:
        payload = None
    return ReceiptCheck(counted=False, scope=envelope.scope, payload=payload)


def live_cache_key(contest_id):
    return f"voting:live:{contest_id}"


def live_results(contest, compute):
    """`compute(opened ballots)` over the envelopes decrypted in memory, cached briefly and
    forgotten at each vote. For contests whose results are shown while voting goes on."""
    return cache.get_or_set(
        live_cache_key(contest.pk), lambda: compute(decrypt_all(contest)), LIVE_SECONDS
    )


def decrypt_all(contest):
    """Every sealed vote of a contest still open, decrypted in memory, in random order."""
    box = box_for(contest)
    private = public.SealedBox(_private_key(box))
    sealed = SealedEnvelope.objects.filter(box=box).values_list("scope", "channel", "sealed")
    opened = [OpenedBallot(s, c, _decode(private.decrypt(bytes(b)))) for s, c, b in sealed]
    _random.shuffle(opened)
    return opened
