"""The read-only SPARQL 1.1 endpoint: guard → killable worker processes → result writers."""
