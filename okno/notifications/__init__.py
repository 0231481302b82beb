"""Notifications for people: in the app (the bell) and by e-mail, as each person
chooses per kind. Other apps call ``services.notify`` (or insert rows set-based and
call ``services.announce``); the mailer task sends what is due."""
