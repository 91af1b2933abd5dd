"""The filters of a page (map, list, embed) as an OfferQuery: parsed by webmap.params exactly as the API parses them.

A page shows what it can: parameters the parser rejects are left out and
named, instead of failing the whole page.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from webmap.params import FACET_PARAMETERS, FILTER_PARAMETERS, PAGE_PARAMETERS, ParameterErrors, parse_offer_query
from webmap.state import search_vocabulary

# Parameters of the pages that are not search filters (the UI language, the partial-render switch).
PAGE_ONLY_PARAMETERS = ("ui", "partial")


def page_query(args, *, near: tuple[float, float] | None, limit: int,
               accepted: tuple[str, ...] | None = None, include_virtual: bool = True):
    """The OfferQuery of a page's filters, parsed by webmap.params exactly as the API parses them.

    ``near`` replaces the request's ``near`` (the pages accept an address there;
    the caller resolves it). A page shows what it can: parameters the parser
    rejects are left out and named in the returned problem list, instead of
    failing the whole page. Returns (query, names of the parameters left out).
    """
    accepted = accepted or (FILTER_PARAMETERS + PAGE_PARAMETERS)
    given = MultiDict([(k, v) for k, v in args.items(multi=True)
                       if k not in PAGE_ONLY_PARAMETERS and k not in ("near", "limit", "include_virtual")
                       and v.strip() != ""])
    if near is not None:
        given.add("near", f"{near[0]!r},{near[1]!r}")
    if "limit" in accepted:
        given.add("limit", str(limit))
    if include_virtual and "include_virtual" in accepted:
        given.add("include_virtual", "1")
    vocab = search_vocabulary()
    left_out: list[str] = []
    for _attempt in range(3):
        try:
            return parse_offer_query(given, vocab, accepted=accepted), left_out
        except ParameterErrors as exc:
            for problem in exc.problems:
                name = problem.parameter
                label = f"{name}={problem.value}" if problem.value else name
                if label not in left_out:
                    left_out.append(label)
                if name in FACET_PARAMETERS and problem.value:
                    # Keep the good values of a facet: "category=doctor,typo" still filters doctors.
                    kept = [v.strip() for raw in given.getlist(name) for v in raw.split(",")
                            if v.strip() and v.strip() != problem.value]
                    given.setlist(name, kept)
                else:
                    given.poplist(name)
    return parse_offer_query(MultiDict(), vocab, accepted=accepted), left_out

