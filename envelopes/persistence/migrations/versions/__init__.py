"""One file per revision, each reviewed by hand."""
