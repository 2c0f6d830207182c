"""Places: name keys (names), the index build (gazbuild) and its queries (gazetteer), GeoNames import
(geonames), geoparsing (geoparse), the scene of an event (scene), Latin names for Russian toponyms
(cyrillic) and geodesy."""
