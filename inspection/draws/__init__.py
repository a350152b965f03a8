"""双随机、一公开: published inspection items, the two directories, verifiable draws, results."""
