"""Admin search of large tables through a selector: each word of the search narrows the list to
the ids the selector finds for it (a union of indexed lookups), with no DISTINCT over a join."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import smart_split, unescape_string_literal


class IndexedSearchMixin:
    """``search_ids(term=...)`` returns the ids matching one word; words are ANDed, a quoted
    phrase is one word (as Django's own admin search). ``search_fields`` must stay non-empty:
    it makes the admin show the search box."""

    def search_ids(self, *, term: str) -> QuerySet:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[-1] == word[0]:
                word = unescape_string_literal(word)
            queryset = queryset.filter(pk__in=self.search_ids(term=word))
        return queryset, False  # an IN of ids: no duplicate rows to remove
