"""Paper letters, the organisation's post settings, and registries of mail items
(Russian Post form 103)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.channels.post.choices import LetterStatus, MailClass, MailKind, Payer, PaymentMethod, RegistryStatus


def money_field(verbose_name: Any) -> models.DecimalField[Decimal, Decimal]:
    """Roubles and kopecks, never negative."""
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )


class PostSettings(models.Model):
    """The one row of the organisation's post settings: the letterhead printed on
    every letter, the sender and accepting office of registries, the defaults of a
    new letter, and the counter tracking numbers are assigned from."""

    org_name = models.CharField(_("organisation"), max_length=300, blank=True)
    org_address = models.TextField(_("organisation's address"), blank=True)
    org_requisites = models.TextField(_("requisites"), blank=True, help_text=_("INN, OGRN, phone: the letterhead."))
    signer_title = models.CharField(_("signer's position"), max_length=200, blank=True)
    sender_name = models.CharField(_("sender"), max_length=300, blank=True)
    sender_address = models.TextField(_("sender's address"), blank=True)
    sender_postcode = models.CharField(_("sender's postcode"), max_length=6, blank=True)
    office_postcode = models.CharField(_("accepting office's postcode"), max_length=6, blank=True)
    office_name = models.CharField(_("accepting office"), max_length=300, blank=True)
    mail_kind = models.CharField(
        _("kind of mail"), max_length=30, choices=MailKind.choices, default=MailKind.REGISTERED_LETTER
    )
    mail_class = models.CharField(_("class"), max_length=20, choices=MailClass.choices, default=MailClass.ORDINARY)
    payer = models.CharField(_("who pays"), max_length=20, choices=Payer.choices, default=Payer.SENDER)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.CASHLESS
    )
    default_weight_g = models.PositiveIntegerField(_("default weight, g"), default=20)
    default_postage = money_field(_("default postage"))
    assign_tracking = models.BooleanField(
        _("assign tracking numbers"),
        default=True,
        help_text=_("Okno numbers letters from the range below when a registry is formed."),
    )
    serial_from = models.PositiveIntegerField(_("serials from"), default=1)
    serial_to = models.PositiveIntegerField(_("serials to"), default=99999)
    # The month code the counter runs in; a new month starts from ``serial_from``.
    serial_month = models.CharField(max_length=2, blank=True, editable=False)
    next_serial = models.PositiveIntegerField(default=1, editable=False)
    month_code = models.CharField(
        _("month code"),
        max_length=2,
        blank=True,
        help_text=_("Two digits Russian Post gave for this month's numbers; empty: the calendar month."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("post settings")
        verbose_name_plural = _("post settings")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="post_settings_single_row"),
            models.CheckConstraint(condition=Q(serial_from__lte=models.F("serial_to")), name="post_serial_range"),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> PostSettings:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls.objects.get_or_create(pk=1)[0]


class RegistryBatch(models.Model):
    """What one "form registry" made: its lists (form 103, at most 35 letters each)
    are one PDF and one workbook, posted or undone together."""

    status = models.CharField(_("status"), max_length=20, choices=RegistryStatus.choices, default=RegistryStatus.FORMED)
    created_at = models.DateTimeField(_("formed"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("formed by")
    )
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    letter_count = models.PositiveIntegerField(_("letters"), default=0)

    class Meta:
        verbose_name = _("post registry")
        verbose_name_plural = _("post registries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d}"


class PostRegistry(models.Model):
    """One list of registered mail items (form 103): its number is unique for its
    day; the header is copied from the settings when it is formed."""

    batch = models.ForeignKey(RegistryBatch, on_delete=models.CASCADE, related_name="lists")
    date = models.DateField(_("date"))
    number = models.PositiveIntegerField(_("list number"))
    mail_kind = models.CharField(_("kind of mail"), max_length=30, choices=MailKind.choices)
    mail_class = models.CharField(_("class"), max_length=20, choices=MailClass.choices)
    payer = models.CharField(_("who pays"), max_length=20, choices=Payer.choices)
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    sender_name = models.CharField(_("sender"), max_length=300, blank=True)
    sender_address = models.TextField(_("sender's address"), blank=True)
    office_postcode = models.CharField(_("accepting office's postcode"), max_length=6, blank=True)
    office_name = models.CharField(_("accepting office"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("list of mail items (form 103)")
        verbose_name_plural = _("lists of mail items (form 103)")
        ordering = ["date", "number"]
        constraints = [models.UniqueConstraint(fields=["date", "number"], name="post_list_number_per_day")]

    def __str__(self) -> str:
        return f"№ {self.number} {self.date:%d.%m.%Y}"


class PaperLetter(models.Model):
    """A reply sent as a paper letter: its addressee and postal address, what the
    registry lists about it, and where it is on its way (print → post → posted)."""

    message = models.OneToOneField(
        "appeals.Message", on_delete=models.PROTECT, related_name="paper_letter", verbose_name=_("reply")
    )
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="+", verbose_name=_("appeal"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    status = models.CharField(_("status"), max_length=20, choices=LetterStatus.choices, default=LetterStatus.TO_PRINT)
    addressee = models.CharField(_("addressee"), max_length=300)
    address = models.TextField(_("postal address"))
    locality = models.CharField(_("region, city"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    weight_g = models.PositiveIntegerField(_("weight, g"), default=20)
    declared_value = money_field(_("declared value"))
    cash_on_delivery = money_field(_("cash on delivery"))
    postage = money_field(_("postage"))
    special_marks = models.CharField(_("special marks"), max_length=200, blank=True)
    mail_kind = models.CharField(_("kind of mail"), max_length=30, choices=MailKind.choices)
    mail_class = models.CharField(_("class"), max_length=20, choices=MailClass.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=14, blank=True)
    registry = models.ForeignKey(
        PostRegistry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("list"),
    )
    position = models.PositiveSmallIntegerField(_("№ in the list"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper letter")
        verbose_name_plural = _("paper letters")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tracking_number"], condition=~Q(tracking_number=""), name="post_unique_tracking_number"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="post_letter_status_idx")]

    def __str__(self) -> str:
        return f"№ {self.pk} → {self.postcode}"

    @property
    def is_waiting(self) -> bool:
        return self.status in LetterStatus.waiting_values()

    @property
    def tracking_warning(self) -> str:
        from okno.channels.post.tracking import warning_for

        return warning_for(self.tracking_number)
