"""Language processing: the spaCy pipeline and its components, segmentation, language data."""
