"""Training type classifiers from coded data, and synthetic data to train on."""
