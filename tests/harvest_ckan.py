"""Harvest a DCAT catalog as a CKAN portal does: ckanext-dcat's RDFParser with its DCAT-AP 3
profile, following Hydra paging from page to page like its DCATRDFHarvester.

Run by the CKAN virtualenv's Python (scripts/test.sh makes .venv-ckan), not by the project's:
    .venv-ckan/bin/python tests/harvest_ckan.py http://127.0.0.1:8000/catalog?modified_since=2026-01-01
Prints, as JSON, the datasets a portal would create, and the pages it fetched.
"""

import json
import sys

import requests
from ckanext.dcat.processors import RDFParser

url, datasets, pages = sys.argv[1], [], []
while url and len(pages) < 100:
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=60)
    response.raise_for_status()
    pages.append(url)
    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(response.content, _format="turtle")
    datasets += list(parser.datasets())
    url = parser.next_page()
json.dump({"datasets": datasets, "pages": pages}, sys.stdout, ensure_ascii=False, default=str)
