"""Django-free helpers: no models, no settings, tested on their own."""
