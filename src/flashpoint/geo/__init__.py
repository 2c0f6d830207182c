"""Places: the gazetteer, GeoNames import, geoparsing and geodesy."""
