"""One module per constraint family of MODEL.md, each with its algebra in the docstring."""
