"""`publisher import`: events from an iCalendar feed or a CSV file (described by CSVW metadata)
become one Turtle file an event in a folder of their own (docs/importing.md).

`ical` and `csvw` read a source into `ImportedEvent`s (publisher.importing.model); `writer`
turns them into files, compares them with the previous import, and moves the result in.
"""
