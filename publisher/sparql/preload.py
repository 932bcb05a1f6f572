"""What the query workers' fork server (publisher.sparql.pool) loads before it forks any worker:
the engine, the result writers and rdflib's SPARQL parser, warmed by a first parse.

The first parse costs ~35 ms (rdflib's grammar finishes setting itself up); done once here, every
worker inherits the warmed parser instead of paying it at each start, and a runaway query ends
its worker, so starts are frequent under load.
"""

from importlib import import_module

from publisher.sparql.guard import parse_verdict

for module in ("pyoxigraph", "publisher.sparql.worker", "publisher.sparql.results"):
    import_module(module)
parse_verdict("SELECT * WHERE { ?s ?p ?o FILTER(?o > 1) }")
