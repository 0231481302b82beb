"""Administrators' pages of the mail channel under ``/settings/mail/``."""

from django.urls import path

from okno.channels.mail import views, views_quarantine, views_templates

app_name = "mail"
urlpatterns = [
    path("", views.mailboxes, name="mailboxes"),
    path("new/", views.mailbox_new, name="new"),
    path("test/", views.mailbox_test, name="test"),
    path("<int:pk>/", views.mailbox_detail, name="detail"),
    path("<int:pk>/edit/", views.mailbox_edit, name="edit"),
    path("<int:pk>/test/", views.mailbox_test, name="test_saved"),
    path("<int:pk>/toggle/", views.mailbox_toggle, name="toggle"),
    path("<int:pk>/delete/", views.mailbox_delete, name="delete"),
    path("quarantine/", views_quarantine.quarantine, name="quarantine"),
    path("quarantine/<int:pk>/raw/", views_quarantine.raw, name="raw"),
    path("quarantine/<int:pk>/reprocess/", views_quarantine.reprocess, name="reprocess"),
    path("quarantine/<int:pk>/appeal/", views_quarantine.make_appeal, name="make_appeal"),
    path("templates/", views_templates.templates, name="templates"),
    path("templates/new/", views_templates.template_new, name="template_new"),
    path("templates/preview/", views_templates.template_preview, name="template_preview"),
    path("templates/<int:pk>/edit/", views_templates.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views_templates.template_delete, name="template_delete"),
]
