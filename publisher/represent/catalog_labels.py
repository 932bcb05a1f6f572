"""Words for the publication's own vocabularies (DCAT, VoID, Dublin Core, FOAF, Hydra), so the
catalog and dataset pages label their facts like every other page, never with a raw IRI."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, FOAF, PROV, RDFS, VOID

from publisher.i18n import N_
from publisher.namespaces import DCT

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

CATALOG_PROPERTY_LABELS = {
    DCAT.dataset: N_("Datasets"),
    DCAT.service: N_("Data services"),
    DCAT.themeTaxonomy: N_("Theme vocabulary"),
    DCAT.contactPoint: N_("Contact"),
    DCAT.distribution: N_("Distributions"),
    DCAT.keyword: N_("Keywords"),
    DCAT.landingPage: N_("Landing page"),
    DCAT.servesDataset: N_("Serves the dataset"),
    DCAT.theme: N_("Themes"),
    DCAT.endpointURL: N_("Endpoint"),
    DCAT.endpointDescription: N_("Endpoint description"),
    FOAF.homepage: N_("Home page"),
    FOAF.name: N_("Name"),
    HYDRA.view: N_("Pages of this list"),
    HYDRA.totalItems: N_("Number of items"),
    VOID.classPartition: N_("Classes used"),
    VOID.classes: N_("Number of classes"),
    VOID.dataDump: N_("Data dumps"),
    VOID.distinctObjects: N_("Distinct objects"),
    VOID.distinctSubjects: N_("Distinct subjects"),
    VOID.entities: N_("Number of resources"),
    VOID.exampleResource: N_("Example resource"),
    VOID.feature: N_("Formats"),
    VOID.properties: N_("Number of properties"),
    VOID.propertyPartition: N_("Properties used"),
    VOID.sparqlEndpoint: N_("SPARQL endpoint"),
    VOID.subset: N_("Linksets"),
    VOID.subjectsTarget: N_("Links from"),
    VOID.objectsTarget: N_("Links to"),
    VOID.linkPredicate: N_("Link property"),
    VOID.triples: N_("Number of triples"),
    VOID.uriSpace: N_("Address space"),
    VOID.vocabulary: N_("Vocabularies"),
    DCT.issued: N_("Published"),
    DCT.modified: N_("Last changed"),
    DCT.license: N_("Licence"),
    DCT.language: N_("Languages"),
    DCT.spatial: N_("Area covered"),
    DCT.publisher: N_("Publisher"),
    DCT.temporal: N_("Period covered"),
    DCT.provenance: N_("Provenance"),
    DCT.isPartOf: N_("Part of"),
    DCT.identifier: N_("Identifier"),
    RDFS.seeAlso: N_("See also"),
    PROV.wasDerivedFrom: N_("Derived from"),
}
CATALOG_TYPE_LABELS = {
    DCAT.Catalog: N_("Data catalogue"),
    DCAT.Dataset: N_("Dataset"),
    DCAT.DataService: N_("Data service"),
    DCAT.Distribution: N_("Distribution"),
    VOID.Dataset: N_("Dataset"),
    VOID.Linkset: N_("Linkset"),
    FOAF.Agent: N_("Publisher"),
}
