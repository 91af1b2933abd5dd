"""Input formats: one module per format, each turning a file into a RawTable."""
