"""Uses of the core: the bench and the sweep, training and what it found,
check and the quiz. Imports everything below; cli.py and api.py sit on top."""
