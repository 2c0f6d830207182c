"""Places: name keys (names), the index build (gazbuild) and its queries (gazetteer), GeoNames import
(geonames), geoparsing (geoparse), the scene of an event (scene: the words around a place; attach:
its tie to the event's words in the parse), places far from the document's focus (focus), Latin names
for Russian toponyms (cyrillic) and geodesy."""
