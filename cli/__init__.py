"""The `tthc` command: the composition root for the terminal. `main.py` lists every command; each module
holds the commands of one concern. Its flags and JSON shapes are a contract that scripts depend on."""
