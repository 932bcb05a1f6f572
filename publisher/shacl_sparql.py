"""SHACL shapes compiled to SPARQL and checked over a pyoxigraph store: the fast validator.

pySHACL checks node by node in Python (~25 µs a focus node and constraint). Here each
constraint of a targeted shape becomes one query that the store answers for all its focus nodes
at once, returning only the violations: set at a time, in Rust. The results are the ones
pySHACL gives (focus node, path, value, severity, the shape's messages); tests compare the two
validators on the real data and on broken variants of it.

Only the SHACL Core constructs listed in `_NODE_CONSTRAINTS` and `_PROPERTY_CONSTRAINTS`, with
predicate and inverse paths, are compiled; shapes with anything else raise `Unsupported` and
are left to pySHACL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import count

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD

from publisher.namespaces import PS, SH

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_SHAPE_WORDS = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, PS.reportPath,
                RDF.type, *TARGETS}
# Value constraints: about each value node alone (for a node shape, the focus node itself).
_VALUE_CONSTRAINTS = {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.flags, SH.languageIn,
                      SH["or"], SH.xone, SH["not"], SH.node}
_NODE_CONSTRAINTS = _VALUE_CONSTRAINTS | {SH.property, SH.hasValue}
_PROPERTY_CONSTRAINTS = _VALUE_CONSTRAINTS | {SH.path, SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang,
                                              SH.lessThanOrEquals, SH.qualifiedValueShape, SH.qualifiedMinCount,
                                              SH.property}
# Datatypes whose well-formedness SPARQL can test with a cast (SHACL counts ill-formed literals
# as violations of sh:datatype, as pySHACL does).
_CASTABLE = {XSD.date, XSD.dateTime, XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean}
_PLAIN = {XSD.string, RDF.langString}
_NODE_KINDS = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
               SH.BlankNodeOrIRI: "!isLiteral({v})", SH.IRIOrLiteral: "!isBlank({v})",
               SH.BlankNodeOrLiteral: "!isIRI({v})"}
_INSTANCE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"


class Unsupported(Exception):
    """The shapes use a construct this compiler does not handle: pySHACL checks them instead."""


@dataclass(frozen=True)
class Check:
    """One query: each row a violation, with ?focus (and ?value where SHACL reports one)."""
    query: str
    severity: URIRef
    path: URIRef | None
    messages: tuple


def term(node) -> str:
    """A term in SPARQL syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if node.language:
            return f'"{text}"@{node.language}'
        return f'"{text}"^^<{node.datatype or XSD.string}>'
    raise Unsupported(f"a blank node ({node}) as a value in a shape")


def _regex(pattern: str) -> str:
    # Python's and XPath's \uXXXX escape is written \x{XXXX} in the store's regex dialect, and
    # SPARQL would read a \u in the query text before parsing it.
    return re.sub(r"\\u([0-9A-Fa-f]{4})", r"\\x{\1}", pattern)


class Compiler:
    def __init__(self, shapes: Graph, subclasses: bool = True):
        self.shapes = shapes
        self._names = count()
        # SHACL counts instances of subclasses (rdfs:subClassOf in the data); data that declares
        # no subclass is checked with plain rdf:type, which the store answers faster.
        self.instance = _INSTANCE if subclasses else f"<{RDF.type}>"

    def var(self) -> str:
        return f"?v{next(self._names)}"

    # -- reading the shapes -------------------------------------------------------------------

    def values(self, shape, predicate) -> list:
        return list(self.shapes.objects(shape, predicate))

    def one(self, shape, predicate):
        found = self.values(shape, predicate)
        if len(found) > 1:
            raise Unsupported(f"several {predicate} on one shape")
        return found[0] if found else None

    def members(self, shape, predicate) -> list:
        head = self.one(shape, predicate)
        return list(Collection(self.shapes, head)) if head is not None else []

    def path(self, shape) -> tuple[str, URIRef | None]:
        """The path in SPARQL, and the IRI the report names (None for an inverse path)."""
        path = self.one(shape, SH.path)
        if isinstance(path, URIRef):
            return f"<{path}>", path
        inverse = self.one(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(inverse, URIRef) and len(list(self.shapes.predicate_objects(path))) == 1:
            return f"^<{inverse}>", None
        raise Unsupported("a path other than a predicate or an inverse predicate")

    def check_words(self, shape, allowed: set) -> None:
        for predicate in set(self.shapes.predicates(shape, None)):
            if predicate not in allowed and predicate not in _SHAPE_WORDS and not str(predicate).startswith(str(PS)):
                raise Unsupported(f"{predicate} in shape {shape}")
        if self.values(shape, SH.deactivated):
            raise Unsupported("sh:deactivated")

    def is_property_shape(self, shape) -> bool:
        return self.one(shape, SH.path) is not None

    # -- conformance of one node, as a SPARQL expression ----------------------------------------

    def conforms(self, shape, v: str) -> str:
        """True when the node in `v` conforms to `shape` (errors count as not conforming)."""
        if self.is_property_shape(shape):
            return self.conforms_property(shape, v)
        self.check_words(shape, _NODE_CONSTRAINTS)
        parts = self.node_tests(shape, v) + [self.conforms_property(p, v) for p in self.values(shape, SH.property)]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def conforms_property(self, shape, v: str) -> str:
        self.check_words(shape, _PROPERTY_CONSTRAINTS)
        path, _iri = self.path(shape)
        parts = []
        minimum, maximum = self.one(shape, SH.minCount), self.one(shape, SH.maxCount)
        if minimum is not None and int(minimum) > 0:
            if int(minimum) != 1:
                raise Unsupported("sh:minCount above 1 inside a logical constraint")
            parts.append(f"EXISTS {{ {v} {path} {self.var()} }}")
        if maximum is not None:
            if int(maximum) == 0:
                parts.append(f"NOT EXISTS {{ {v} {path} {self.var()} }}")
            elif int(maximum) == 1:
                a, b = self.var(), self.var()
                parts.append(f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} FILTER(!sameTerm({a}, {b})) }}")
            else:
                raise Unsupported("sh:maxCount above 1 inside a logical constraint")
        for value in self.values(shape, SH.hasValue):
            parts.append(f"EXISTS {{ {v} {path} {term(value)} }}")
        qualified = self.one(shape, SH.qualifiedValueShape)
        if qualified is not None:
            if int(self.one(shape, SH.qualifiedMinCount) or 0) != 1:
                raise Unsupported("sh:qualifiedMinCount other than 1 inside a logical constraint")
            x = self.var()
            parts.append(f"EXISTS {{ {v} {path} {x} FILTER({self.conforms(qualified, x)}) }}")
        if self.values(shape, SH.uniqueLang) or self.values(shape, SH.lessThanOrEquals):
            raise Unsupported("sh:uniqueLang or sh:lessThanOrEquals inside a logical constraint")
        x = self.var()
        tests = self.value_tests(shape, x) + [self.conforms_property(p, x) for p in self.values(shape, SH.property)]
        if tests:
            parts.append(f"NOT EXISTS {{ {v} {path} {x} FILTER(!({' && '.join(tests)})) }}")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def node_tests(self, shape, v: str) -> list[str]:
        """A node shape's own constraints on the node in `v` (not those of its property shapes)."""
        return self.value_tests(shape, v) + [f"sameTerm({v}, {term(value)})" for value in self.values(shape, SH.hasValue)]

    def value_tests(self, shape, v: str) -> list[str]:
        """The value constraints of `shape` on the node in `v`, one expression each."""
        tests = []
        for cls in self.values(shape, SH["class"]):
            tests.append(f"EXISTS {{ {v} {self.instance} {term(cls)} }}")
        for datatype in self.values(shape, SH.datatype):
            if datatype not in _CASTABLE | _PLAIN:
                raise Unsupported(f"sh:datatype {datatype}")
            test = f"isLiteral({v}) && datatype({v}) = {term(datatype)}"
            if datatype in _CASTABLE:
                test += f" && STRLEN(STR({term(datatype)}(STR({v})))) >= 0"
            tests.append(f"COALESCE({test}, false)")
        for kind in self.values(shape, SH.nodeKind):
            tests.append(_NODE_KINDS[kind].format(v=v))
        if self.one(shape, SH["in"]) is not None:
            tests.append("(" + " || ".join(f"sameTerm({v}, {term(m)})" for m in self.members(shape, SH["in"])) + ")")
        flags = self.one(shape, SH.flags)
        for pattern in self.values(shape, SH.pattern):
            arguments = term(Literal(_regex(str(pattern)))) + (f", {term(Literal(str(flags)))}" if flags else "")
            tests.append(f"COALESCE(!isBlank({v}) && REGEX(STR({v}), {arguments}), false)")
        if self.one(shape, SH.languageIn) is not None:
            ranges = " || ".join(f"langMatches(LANG({v}), {term(Literal(str(tag)))})"
                                 for tag in self.members(shape, SH.languageIn))
            tests.append(f"COALESCE(LANG({v}) != \"\" && ({ranges}), false)")
        if self.one(shape, SH["or"]) is not None:
            tests.append("(" + " || ".join(self.conforms(s, v) for s in self.members(shape, SH["or"])) + ")")
        if self.one(shape, SH.xone) is not None:
            tests.append("((" + " + ".join(f"IF({self.conforms(s, v)}, 1, 0)"
                                           for s in self.members(shape, SH.xone)) + ") = 1)")
        for negated in self.values(shape, SH["not"]):
            tests.append(f"!{self.conforms(negated, v)}")
        for node in self.values(shape, SH.node):
            tests.append(self.conforms(node, v))
        return tests

    # -- the checks of a targeted shape ---------------------------------------------------------

    def targets(self, shape) -> str:
        patterns = [f"{{ ?focus {self.instance} {term(c)} }}" for c in self.values(shape, SH.targetClass)]
        patterns += [f"{{ ?focus {term(p)} [] }}" for p in self.values(shape, SH.targetSubjectsOf)]
        patterns += [f"{{ [] {term(p)} ?focus }}" for p in self.values(shape, SH.targetObjectsOf)]
        patterns += [f"{{ VALUES ?focus {{ {term(n)} }} }}" for n in self.values(shape, SH.targetNode)]
        return "{ SELECT DISTINCT ?focus WHERE { " + " UNION ".join(patterns) + " } }"

    def checks(self, shape) -> list[Check]:
        if self.is_property_shape(shape):
            raise Unsupported(f"targets on a property shape ({shape})")
        self.check_words(shape, _NODE_CONSTRAINTS)
        target = self.targets(shape)
        found = []
        tests = self.node_tests(shape, "?focus")
        if tests:  # node-level constraints: the value is the focus node; the report names ps:reportPath
            node_check = Check("", self.severity(shape), self.one(shape, PS.reportPath), self.messages(shape))
            for test in tests:
                found.append(replace(node_check, query=f"SELECT ?focus (?focus AS ?value) WHERE {{ {target} "
                                                       f"FILTER(!{test}) }}"))
        for prop in self.values(shape, SH.property):
            found += self.property_checks(prop, target)
        return found

    def property_checks(self, shape, target: str) -> list[Check]:
        self.check_words(shape, _PROPERTY_CONSTRAINTS - {SH.property})
        path, iri = self.path(shape)
        base = Check("", self.severity(shape), iri, self.messages(shape))
        found = []

        def counted(having: str, value_filter: str = "") -> None:
            found.append(replace(base, query=f"SELECT ?focus WHERE {{ {target} OPTIONAL {{ ?focus {path} ?value "
                                     f"{value_filter} }} }} GROUP BY ?focus HAVING ({having})"))

        def missing(value_filter: str = "") -> None:  # fewer than one: the common case, without grouping
            found.append(replace(base, query=f"SELECT ?focus WHERE {{ {target} FILTER NOT EXISTS {{ ?focus {path} "
                                     f"?value {value_filter} }} }}"))

        minimum, maximum = self.one(shape, SH.minCount), self.one(shape, SH.maxCount)
        if minimum is not None and int(minimum) == 1:
            missing()
        elif minimum is not None and int(minimum) > 1:
            counted(f"COUNT(DISTINCT ?value) < {int(minimum)}")
        if maximum is not None and int(maximum) == 0:
            found.append(replace(base, query=f"SELECT DISTINCT ?focus WHERE {{ {target} ?focus {path} [] }}"))
        elif maximum is not None and int(maximum) == 1:
            found.append(replace(base, query=f"SELECT DISTINCT ?focus WHERE {{ {target} ?focus {path} ?value, ?other "
                                     f"FILTER(!sameTerm(?value, ?other)) }}"))
        elif maximum is not None:
            counted(f"COUNT(DISTINCT ?value) > {int(maximum)}")
        for test in self.value_tests(shape, "?value"):
            found.append(replace(base, query=f"SELECT DISTINCT ?focus ?value WHERE {{ {target} ?focus {path} ?value "
                                     f"FILTER(!{test}) }}"))
        for value in self.values(shape, SH.hasValue):
            found.append(replace(base, query=f"SELECT ?focus WHERE {{ {target} FILTER NOT EXISTS {{ ?focus {path} "
                                     f"{term(value)} }} }}"))
        qualified = self.one(shape, SH.qualifiedValueShape)
        if qualified is not None:
            least = self.one(shape, SH.qualifiedMinCount)
            if least is None or self.values(shape, SH.qualifiedMaxCount):
                raise Unsupported("sh:qualifiedValueShape without sh:qualifiedMinCount, or with a maximum")
            conforming = f"FILTER({self.conforms(qualified, '?value')})"
            if int(least) == 1:
                missing(conforming)
            else:
                counted(f"COUNT(DISTINCT ?value) < {int(least)}", conforming)
        if any(bool(v) for v in self.values(shape, SH.uniqueLang)):
            found.append(replace(base, query=f"SELECT DISTINCT ?focus (LCASE(LANG(?value)) AS ?language) WHERE {{ {target} "
                                     f"?focus {path} ?value, ?other FILTER(!sameTerm(?value, ?other) && "
                                     f"LANG(?value) != \"\" && LCASE(LANG(?value)) = LCASE(LANG(?other))) }}"))
        for other in self.values(shape, SH.lessThanOrEquals):
            # One result for each pair that is not in order, as pySHACL gives (value: the first).
            found.append(replace(base, query=f"SELECT ?focus ?value WHERE {{ {target} ?focus {path} ?value . "
                                     f"?focus {term(other)} ?other FILTER(!COALESCE(?value <= ?other, false)) }}"))
        return found

    def severity(self, shape) -> URIRef:
        return self.one(shape, SH.severity) or SH.Violation

    def messages(self, shape) -> tuple:
        messages = tuple(self.values(shape, SH.message))
        if not messages:
            raise Unsupported(f"a constraint without sh:message ({shape}): pySHACL writes its own")
        return messages


def compile_shapes(shapes: Graph, subclasses: bool = True) -> list[Check]:
    """Every check of every targeted shape; raises Unsupported if any shape needs pySHACL.

    `subclasses`: whether the data declares any rdfs:subClassOf (see `has_subclasses`)."""
    compiler = Compiler(shapes, subclasses)
    return [check for shape in targeted_shapes(shapes) for check in compiler.checks(shape)]


def targeted_shapes(shapes: Graph) -> list:
    """The shapes SHACL starts from: those with a target, in a stable order."""
    return sorted({s for target in TARGETS for s in shapes.subjects(target, None)}, key=str)


def has_subclasses(store) -> bool:
    return bool(store.query("ASK { ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?other }",
                            use_default_graph_as_union=True))
