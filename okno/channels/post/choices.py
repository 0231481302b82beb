"""Enumerations of paper letters and post registries. Codes are stored; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")  # the reply is held; no letter to print yet
    TO_PRINT = "to_print", _("To print")
    TO_POST = "to_post", _("To post")
    IN_REGISTRY = "in_registry", _("In a registry")
    POSTED = "posted", _("Posted")
    RETURNED = "returned", _("Returned")

    @classmethod
    def waiting_values(cls) -> list[str]:
        """Letters that may go into a registry (printing is optional)."""
        return [cls.TO_PRINT, cls.TO_POST]


class MailKind(models.TextChoices):
    REGISTERED_LETTER = "registered_letter", _("Registered letter")
    REGISTERED_PARCEL = "registered_parcel", _("Registered printed-matter parcel")
    VALUE_LETTER = "value_letter", _("Letter with declared value")
    VALUE_PARCEL = "value_parcel", _("Printed-matter parcel with declared value")
    REGISTERED_CARD = "registered_card", _("Registered postcard")


class MailClass(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    FIRST = "first", _("1st class")


class Payer(models.TextChoices):
    SENDER = "sender", _("Sender")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CASHLESS = "cashless", _("Cashless")
    STAMPS = "stamps", _("Postage stamps")
    FRANKING = "franking", _("Franking machine")


class RegistryStatus(models.TextChoices):
    FORMED = "formed", _("Formed")
    POSTED = "posted", _("Posted")
    UNDONE = "undone", _("Undone")
