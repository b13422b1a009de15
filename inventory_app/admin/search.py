"""Admin search of large tables through a selector: each word of the search narrows the list by
the filter the selector gives for it (indexed lookups), with no DISTINCT over a join."""

from __future__ import annotations

from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal


class IndexedSearchMixin:
    """``search_filter(term=...)`` returns the filter of one word; words are ANDed, a quoted
    phrase is one word (as Django's own admin search). ``search_fields`` must stay non-empty:
    it makes the admin show the search box."""

    def search_filter(self, *, term: str) -> Q:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[-1] == word[0]:
                word = unescape_string_literal(word)
            queryset = queryset.filter(self.search_filter(term=word))
        return queryset, False  # no join of many rows: no duplicates to remove
