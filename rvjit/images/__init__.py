"""Guest images for rvjit from the Debian archive (`make images`)."""
