import django_filters
from django.utils.translation import gettext_lazy as _

from competencies.models import Capability
from competencies.selectors import capabilities_matching


class CapabilityFilter(django_filters.FilterSet):
    framework = django_filters.UUIDFilter(
        field_name="framework__uuid", label=_("Framework identifier")
    )
    domain = django_filters.CharFilter(
        field_name="domain__code", lookup_expr="iexact", label=_("Domain code, e.g. K")
    )
    theme = django_filters.CharFilter(
        field_name="themes__code", lookup_expr="iexact", label=_("Theme code")
    )
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Text in the code, title, description or relevance (every word must match)"),
    )

    class Meta:
        model = Capability
        fields = ["framework", "domain", "theme", "q"]

    def filter_text(self, queryset, name, value):
        return capabilities_matching(queryset, value)
