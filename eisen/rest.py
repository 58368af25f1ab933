"""Small pieces shared by the apps' API views."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound


class NamedNotFoundMixin:
    """A 404 whose message names the kind of object and the identifier that was asked for."""

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            name = self.get_queryset().model._meta.verbose_name
            value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            raise NotFound(
                _("No %(name)s has the identifier %(value)s.") % {"name": name, "value": value}
            ) from None
