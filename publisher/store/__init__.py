"""Where queries run: the embedded Oxigraph worker pool (sparql/pool.py) or a remote store."""
