"""`core.choices.ChoiceLabels`: the same labels as Django's `get_FOO_display()`, in the language of the moment,
for every value; an unknown value shows as itself; choices given by a callable are left to Django."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from core.choices import choice_labels
from dossiers.models import Dossier, DossierEvent, EventType, Handover, HandoverKind
from dossiers.workflow import Status


def django_label(instance, name):
    """What Django's own implementation answers."""
    return models.Model._get_FIELD_display(instance, instance._meta.get_field(name))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_value_shows_the_label_django_would_show_in_the_language_of_the_moment(language):
    with translation.override(language):
        for value in Status.values:
            dossier = Dossier(status=value)
            assert dossier.get_status_display() == django_label(dossier, "status")
        for value in EventType.values:
            event = DossierEvent(type=value)
            assert event.get_type_display() == django_label(event, "type")
        for value in HandoverKind.values:
            assert Handover(kind=value).get_kind_display() == str(HandoverKind(value).label)
    with translation.override("en"):
        english = Dossier(status=Status.RETURNED).get_status_display()
    with translation.override("vi"):
        assert Dossier(status=Status.RETURNED).get_status_display() != english == str(_english(Status.RETURNED))


def _english(value):
    with translation.override("en"):
        return str(Status(value).label)


def test_an_unknown_value_shows_as_itself_and_a_blank_one_as_blank():
    assert Dossier(status="khong-co").get_status_display() == "khong-co"
    assert Dossier(status="").get_status_display() == ""


def test_new_choices_on_the_field_are_read_again():
    field = Handover._meta.get_field("kind")
    before = choice_labels(field)
    saved = field.choices
    try:
        field.choices = [*saved, ("khac", "Loại khác")]
        assert Handover(kind="khac").get_kind_display() == "Loại khác"
    finally:
        field.choices = saved
    assert choice_labels(field) == before


def test_choices_given_by_a_callable_are_left_to_django():
    """Such choices may change between calls: nothing is kept, Django's own lookup answers."""
    options = [("dossier", "Chuyển hồ sơ")]
    field = models.CharField(max_length=10, choices=lambda: options)
    field.set_attributes_from_name("kind")
    assert choice_labels(field) is None
    handover = Handover(kind="result")
    assert handover._get_FIELD_display(field) == "result"
    options.append(("result", "Chuyển kết quả (thay đổi)"))
    assert handover._get_FIELD_display(field) == "Chuyển kết quả (thay đổi)"
