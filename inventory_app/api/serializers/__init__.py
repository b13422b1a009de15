"""Input and output serializers of the REST API, one module per area. They validate and render only."""
