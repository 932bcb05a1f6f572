"""Read a DCAT catalog as a CKAN portal does: ckanext-dcat's RDFParser with its DCAT-AP 3 profile.

Run by the CKAN virtualenv's Python (scripts/test.sh makes .venv-ckan), not by the project's:
    .venv-ckan/bin/python tests/harvest_ckan.py catalog.ttl
Prints, as JSON, the datasets a portal would create.
"""

import json
import sys

from ckanext.dcat.processors import RDFParser

parser = RDFParser(profiles=["euro_dcat_ap_3"])
with open(sys.argv[1], "rb") as handle:
    parser.parse(handle.read(), _format="turtle")
json.dump(list(parser.datasets()), sys.stdout, ensure_ascii=False, default=str)
