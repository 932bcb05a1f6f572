"""The SPARQL 1.1 Service Description of the endpoint, with its limits."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from publisher.addresses import Urls
from publisher.config import Settings
from publisher.namespaces import DCT, VOID, new_graph
from publisher.sparql.formats import GRAPH_FORMATS, SOLUTION_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
# Limits have no standard terms; these name them, and rdfs:comment says them in words.
LIMITS = Namespace("urn:publisher:limits:")


def service_description(settings: Settings, triples: int) -> Graph:
    urls = Urls(settings.base_url)
    endpoint = urls.iri("sparql")
    dataset = URIRef(f"{endpoint}#dataset")
    default_graph = URIRef(f"{endpoint}#default-graph")
    graph = new_graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("limits", LIMITS)
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in SOLUTION_FORMATS + GRAPH_FORMATS:
        graph.add((endpoint, SD.resultFormat, URIRef(fmt.iri)))
    graph.add((endpoint, SD.feature, SD.EmptyGraphs))
    graph.add((endpoint, DCT.title, Literal("Punkt dostępowy SPARQL (tylko odczyt)", lang="pl")))
    graph.add((endpoint, DCT.title, Literal("SPARQL endpoint (read-only)", lang="en")))
    graph.add((endpoint, RDFS.comment, Literal(
        f"Tylko zapytania (bez SPARQL Update, LOAD i SERVICE). Limity: czas wykonania {settings.query_timeout:g} s, "
        f"wynik do {settings.max_result_rows} wierszy lub trójek i {settings.max_result_bytes} bajtów, zapytanie do {settings.max_query_length} znaków.",
        lang="pl")))
    graph.add((endpoint, RDFS.comment, Literal(
        f"Queries only (no SPARQL Update, LOAD or SERVICE). Limits: {settings.query_timeout:g} s execution time, "
        f"results up to {settings.max_result_rows} rows or triples and {settings.max_result_bytes} bytes, queries up to {settings.max_query_length} characters.",
        lang="en")))
    graph.add((endpoint, LIMITS.executionTimeSeconds, Literal(settings.query_timeout, datatype=XSD.decimal)))
    graph.add((endpoint, LIMITS.maxResultRows, Literal(settings.max_result_rows)))
    graph.add((endpoint, LIMITS.maxResultBytes, Literal(settings.max_result_bytes)))
    graph.add((endpoint, LIMITS.maxQueryLength, Literal(settings.max_query_length)))
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((dataset, RDFS.seeAlso, urls.dataset))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, Literal(triples)))
    return graph
